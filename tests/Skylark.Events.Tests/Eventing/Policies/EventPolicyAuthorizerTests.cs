using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Eventing.Resources;

namespace Skylark.Events.Tests.Eventing.Policies;

public sealed class EventPolicyAuthorizerTests : IDisposable
{
    private const string ToDefaultBroker = """
        to:
          - ref:
              apiVersion: eventing.knative.dev/v1
              kind: Broker
              name: default

        """;

    private static readonly PolicyReceiver DefaultBroker = PolicyReceiver.Broker("skylark", "default");

    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(AuthorizationMode.AllowSameNamespace, "system:serviceaccount:skylark:detect", true)]
    [InlineData(AuthorizationMode.AllowSameNamespace, "system:serviceaccount:other:detect", false)]
    [InlineData(AuthorizationMode.AllowSameNamespace, "https://accounts.example.com|skylark", false)]
    [InlineData(AuthorizationMode.AllowAll, "system:serviceaccount:other:detect", true)]
    [InlineData(AuthorizationMode.DenyAll, "system:serviceaccount:skylark:detect", false)]
    public void Without_an_applying_policy_the_default_mode_decides(AuthorizationMode mode, string subject, bool allowed)
    {
        var authorizer = new EventPolicyAuthorizer([], mode);

        var decision = authorizer.Authorize(DefaultBroker, subject, Event("io.skylark.camera.frame"));

        Assert.False(authorizer.AppliesTo(DefaultBroker));
        Assert.Equal(allowed, decision.Allowed);
        Assert.Null(decision.Policy);
        Assert.Contains("no EventPolicy applies to Broker skylark/default", decision.Reason, StringComparison.Ordinal);
        Assert.Contains(mode.ToKnativeString(), decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exact_sub_admits_that_subject_only()
    {
        var authorizer = Authorizer(Policy("detect-only", ToDefaultBroker + """
            from:
              - sub: system:serviceaccount:skylark:detect
            """));

        var admitted = authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect", Event("any"));
        var refused = authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detector", Event("any"));

        Assert.Equal(new PolicyDecision(true, "EventPolicy detect-only admits system:serviceaccount:skylark:detect for Broker skylark/default", "detect-only"), admitted);
        Assert.False(refused.Allowed);
        Assert.Equal(
            "no EventPolicy applying to Broker skylark/default (detect-only) admits subject system:serviceaccount:skylark:detector",
            refused.Reason);
    }

    [Fact]
    public void A_trailing_star_admits_every_subject_with_that_prefix()
    {
        var authorizer = Authorizer(Policy("statesinks", ToDefaultBroker + """
            from:
              - sub: system:serviceaccount:skylark:statesink-*
            """));

        Assert.True(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:statesink-edge-1", Event("any")).Allowed);
        Assert.True(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:statesink-", Event("any")).Allowed);
        Assert.False(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:statesink", Event("any")).Allowed);
        Assert.False(authorizer.Authorize(DefaultBroker, "system:serviceaccount:other:statesink-edge-1", Event("any")).Allowed);
    }

    [Fact]
    public void A_trigger_ref_admits_the_triggers_oidc_service_account_in_the_policys_namespace()
    {
        var authorizer = Authorizer(Policy("replies", ToDefaultBroker + """
            from:
              - ref:
                  apiVersion: eventing.knative.dev/v1
                  kind: Trigger
                  name: detect
              - ref:
                  apiVersion: v1
                  kind: ServiceAccount
                  name: operator
                  namespace: admin
            """));

        Assert.True(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect-oidc-eventing.knative.dev-trigger", Event("any")).Allowed);
        Assert.True(authorizer.Authorize(DefaultBroker, "system:serviceaccount:admin:operator", Event("any")).Allowed);
        Assert.False(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect", Event("any")).Allowed);
    }

    [Fact]
    public void An_admitted_sender_is_still_refused_an_event_that_fails_any_of_the_filters()
    {
        var authorizer = Authorizer(Policy("completions", ToDefaultBroker + """
            from:
              - sub: system:serviceaccount:skylark:detect
            filters:
              - exact:
                  type: io.skylark.function.completed
              - exact:
                  function: detect
            """));

        var passing = Event("io.skylark.function.completed");
        passing["function"] = "detect";
        var wrongFunction = Event("io.skylark.function.completed");
        wrongFunction["function"] = "alarm";

        Assert.True(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect", passing).Allowed);
        var refused = authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect", wrongFunction);
        Assert.Equal(
            new PolicyDecision(
                false,
                "system:serviceaccount:skylark:detect is admitted for Broker skylark/default by EventPolicy completions, but the event (type io.skylark.function.completed) does not pass its filters",
                "completions"),
            refused);
    }

    [Fact]
    public void One_admitting_policy_whose_filters_pass_is_enough()
    {
        var authorizer = Authorizer(
            Policy("frames", ToDefaultBroker + "from:\n  - sub: system:serviceaccount:skylark:camera\nfilters:\n  - exact:\n      type: frame\n"),
            Policy("alarms", ToDefaultBroker + "from:\n  - sub: system:serviceaccount:skylark:camera\nfilters:\n  - exact:\n      type: alarm\n"));

        var decision = authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:camera", Event("alarm"));

        Assert.Equal((true, "alarms"), (decision.Allowed, decision.Policy));
        Assert.Equal(["frames", "alarms"], authorizer.PoliciesFor(DefaultBroker));
    }

    [Fact]
    public void A_policy_for_another_broker_does_not_apply_and_the_default_mode_decides()
    {
        var authorizer = Authorizer(Policy("edge-only", """
            to:
              - ref:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  name: edge
            from:
              - sub: system:serviceaccount:skylark:camera
            """));

        Assert.True(authorizer.AppliesTo(PolicyReceiver.Broker("skylark", "edge")));
        Assert.False(authorizer.AppliesTo(DefaultBroker));
        Assert.False(authorizer.AppliesTo(PolicyReceiver.Broker("other", "edge")));
        Assert.False(authorizer.AppliesTo(new PolicyReceiver("messaging.knative.dev", "Broker", "skylark", "edge")));
        var decision = authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect", Event("any"));
        Assert.Equal((true, null), (decision.Allowed, decision.Policy));
    }

    [Fact]
    public void An_empty_to_covers_every_receiver_of_the_policys_namespace_only()
    {
        var authorizer = Authorizer(Policy("namespace-wide", "from:\n  - sub: system:serviceaccount:skylark:operator\n"));

        Assert.True(authorizer.AppliesTo(DefaultBroker));
        Assert.True(authorizer.AppliesTo(new PolicyReceiver("serving.knative.dev", "Service", "skylark", "statesink")));
        Assert.False(authorizer.AppliesTo(PolicyReceiver.Broker("other", "default")));

        // It applies, so the same-namespace default no longer admits detect.
        Assert.False(authorizer.Authorize(DefaultBroker, "system:serviceaccount:skylark:detect", Event("any")).Allowed);
    }

    [Fact]
    public void A_selector_matches_the_kind_and_labels()
    {
        var authorizer = Authorizer(Policy("edge-brokers", """
            to:
              - selector:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  matchLabels:
                    tier: edge
                  matchExpressions:
                    - key: zone
                      operator: In
                      values: [a, b]
                    - key: stage
                      operator: NotIn
                      values: [test]
                    - key: owner
                      operator: Exists
                    - key: retired
                      operator: DoesNotExist
            from:
              - sub: system:serviceaccount:skylark:camera
            """));

        static PolicyReceiver Broker(params (string Key, string Value)[] labels) =>
            PolicyReceiver.Broker("skylark", "b", labels.ToDictionary(l => l.Key, l => l.Value));

        Assert.True(authorizer.AppliesTo(Broker(("tier", "edge"), ("zone", "a"), ("owner", "ops"))));
        Assert.True(authorizer.AppliesTo(Broker(("tier", "edge"), ("zone", "b"), ("owner", ""), ("stage", "prod"))));
        Assert.False(authorizer.AppliesTo(Broker(("tier", "cloud"), ("zone", "a"), ("owner", "ops"))));
        Assert.False(authorizer.AppliesTo(Broker(("tier", "edge"), ("zone", "c"), ("owner", "ops"))));
        Assert.False(authorizer.AppliesTo(Broker(("tier", "edge"), ("zone", "a"), ("owner", "ops"), ("stage", "test"))));
        Assert.False(authorizer.AppliesTo(Broker(("tier", "edge"), ("zone", "a"))));
        Assert.False(authorizer.AppliesTo(Broker(("tier", "edge"), ("zone", "a"), ("owner", "ops"), ("retired", "yes"))));
        Assert.False(authorizer.AppliesTo(new PolicyReceiver("serving.knative.dev", "Service", "skylark", "b", new Dictionary<string, string> { ["tier"] = "edge", ["zone"] = "a", ["owner"] = "ops" })));
    }

    [Fact]
    public void Receivers_with_the_same_labels_are_equal_whatever_the_order()
    {
        var first = PolicyReceiver.Broker("skylark", "b", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        var second = PolicyReceiver.Broker("skylark", "b", new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, PolicyReceiver.Broker("skylark", "b"));
    }

    [Fact]
    public void An_invalid_filter_is_reported_when_the_authorizer_is_built()
    {
        var policy = new EventPolicyResource(
            new ResourceMeta("broken", "skylark", new Dictionary<string, string>(), new Dictionary<string, string>()),
            [],
            [new EventPolicySender(null, "system:serviceaccount:skylark:x")],
            [new SubscriptionsApiFilter(Cesql: "type = ")],
            new ResourceOrigin("(test)", 0));

        var error = Assert.Throws<ArgumentException>(() => new EventPolicyAuthorizer([policy]));

        Assert.StartsWith("EventPolicy skylark/broken: filters[0].cesql", error.Message, StringComparison.Ordinal);
    }

    internal static CloudEvent Event(string type) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Type = type,
        Source = new Uri("/test", UriKind.Relative),
    };

    private static string Policy(string name, string spec) =>
        $"apiVersion: eventing.knative.dev/v1alpha1\nkind: EventPolicy\nmetadata:\n  name: {name}\n  namespace: skylark\nspec:\n"
        + string.Join('\n', spec.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(line => "  " + line)) + "\n";

    private EventPolicyAuthorizer Authorizer(params string[] policies) =>
        new(folder.LoadValid(Manifests.Documents(policies)).EventPolicies);
}
