using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Resources.Manifests;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class EventPolicyValidationTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_targets_senders_and_filters()
    {
        var model = folder.LoadValid("""
            apiVersion: eventing.knative.dev/v1alpha1
            kind: EventPolicy
            metadata:
              name: functions-complete
              namespace: skylark
            spec:
              to:
                - ref:
                    apiVersion: eventing.knative.dev/v1
                    kind: Broker
                    name: default
                - selector:
                    apiVersion: eventing.knative.dev/v1
                    kind: Broker
                    matchLabels:
                      tier: edge
                    matchExpressions:
                      - key: zone
                        operator: In
                        values: [a, b]
                      - key: retired
                        operator: DoesNotExist
              from:
                - sub: system:serviceaccount:skylark:statesink-*
                - ref:
                    apiVersion: eventing.knative.dev/v1
                    kind: Trigger
                    name: detect
              filters:
                - exact:
                    type: io.skylark.function.completed
            """);

        var policy = Assert.Single(model.EventPolicies);
        Assert.Equal(("functions-complete", "skylark"), (policy.Meta.Name, policy.Meta.Namespace));
        Assert.Equal(new EventPolicyTargetReference("eventing.knative.dev/v1", "Broker", "default"), policy.To[0].Ref);
        var selector = policy.To[1].Selector!;
        Assert.Equal(("eventing.knative.dev/v1", "Broker"), (selector.ApiVersion, selector.Kind));
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "edge" }, selector.MatchLabels);
        Assert.Equal(("zone", LabelSelectorOperator.In), (selector.MatchExpressions[0].Key, selector.MatchExpressions[0].Operator));
        Assert.Equal(["a", "b"], selector.MatchExpressions[0].Values);
        Assert.Equal(("retired", LabelSelectorOperator.DoesNotExist), (selector.MatchExpressions[1].Key, selector.MatchExpressions[1].Operator));
        Assert.Equal("system:serviceaccount:skylark:statesink-*", policy.From[0].Sub);

        // A sender's namespace defaults to the policy's, as Knative does.
        Assert.Equal(new KReference("Trigger", "detect", "skylark", "eventing.knative.dev/v1"), policy.From[1].Ref);
        Assert.Equal("io.skylark.function.completed", Assert.Single(policy.Filters).Exact!["type"]);
    }

    [Fact]
    public void A_policy_without_spec_covers_the_namespace_and_admits_no_one()
    {
        var policy = Assert.Single(folder.LoadValid(EventPolicyYaml(string.Empty)).EventPolicies);

        Assert.Empty(policy.To);
        Assert.Empty(policy.From);
        Assert.Empty(policy.Filters);
    }

    [Fact]
    public void Requires_the_v1alpha1_api_version()
    {
        var errors = folder.LoadErrors("apiVersion: eventing.knative.dev/v1\nkind: EventPolicy\nmetadata:\n  name: ep\n");

        ErrorAssert.HasOnlyError(errors, 0, "apiVersion", "expected eventing.knative.dev/v1alpha1");
    }

    [Fact]
    public void A_sender_sets_ref_or_sub()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            from:
              - {}
              - sub: ""
            """));

        ErrorAssert.HasError(errors, 0, "spec.from[0]", "expected exactly one of ref, sub; got none");
        ErrorAssert.HasError(errors, 0, "spec.from[1]", "expected exactly one of ref, sub; got none");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void A_sender_does_not_set_both_ref_and_sub()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            from:
              - sub: system:serviceaccount:skylark:detect
                ref:
                  apiVersion: eventing.knative.dev/v1
                  kind: Trigger
                  name: detect
            """));

        ErrorAssert.HasOnlyError(errors, 0, "spec.from[0]", "got both");
    }

    [Theory]
    [InlineData("system:serviceaccount:*:detect")]
    [InlineData("*system:serviceaccount:skylark:detect")]
    [InlineData("system:serviceaccount:skylark:**")]
    public void A_sub_has_a_star_only_at_its_end(string sub)
    {
        var errors = folder.LoadErrors(EventPolicyYaml($"from:\n  - sub: \"{sub}\"\n"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.from[0].sub", "'*' is only allowed as the last character");
    }

    [Fact]
    public void A_sender_ref_needs_api_version_kind_and_name()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            from:
              - ref:
                  name: detect
            """));

        ErrorAssert.HasError(errors, 0, "spec.from[0].ref.kind", "required");
        ErrorAssert.HasError(errors, 0, "spec.from[0].ref.apiVersion", "required");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void A_target_sets_exactly_one_of_ref_and_selector()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            to:
              - {}
              - ref:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  name: default
                selector:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  matchLabels: {}
            """));

        ErrorAssert.HasError(errors, 0, "spec.to[0]", "expected exactly one of ref, selector; got none");
        ErrorAssert.HasError(errors, 0, "spec.to[1]", "expected exactly one of ref, selector; got both");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void A_target_ref_has_no_namespace_because_a_policy_covers_only_its_own()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            to:
              - ref:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  name: default
                  namespace: elsewhere
            """));

        ErrorAssert.HasOnlyError(errors, 0, "spec.to[0].ref.namespace", "unknown field \"namespace\"");
    }

    [Fact]
    public void A_selector_names_its_kind_and_some_labels()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            to:
              - selector:
                  apiVersion: eventing.knative.dev/v1
            """));

        ErrorAssert.HasError(errors, 0, "spec.to[0].selector.kind", "required");
        ErrorAssert.HasError(errors, 0, "spec.to[0].selector", "expected matchLabels and/or matchExpressions");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Match_expressions_follow_the_kubernetes_operator_rules()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            to:
              - selector:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  matchExpressions:
                    - key: zone
                      operator: In
                    - key: zone
                      operator: Exists
                      values: [a]
                    - key: zone
                      operator: Equals
                      values: [a]
                    - operator: NotIn
                      values: [a]
            """));

        ErrorAssert.HasError(errors, 0, "spec.to[0].selector.matchExpressions[0].values", "the In operator needs at least one value");
        ErrorAssert.HasError(errors, 0, "spec.to[0].selector.matchExpressions[1].values", "the Exists operator takes no values");
        ErrorAssert.HasError(errors, 0, "spec.to[0].selector.matchExpressions[2].operator", "unknown operator \"Equals\"");
        ErrorAssert.HasError(errors, 0, "spec.to[0].selector.matchExpressions[3].key", "required");
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Filters_are_validated_like_a_triggers()
    {
        var errors = folder.LoadErrors(EventPolicyYaml("""
            filters:
              - exact:
                  type: io.skylark.camera.frame
                prefix:
                  source: /skylark
              - cesql: "type = "
            """));

        ErrorAssert.HasError(errors, 0, "spec.filters[0]", "expected exactly one dialect; got 2");
        ErrorAssert.HasError(errors, 0, "spec.filters[1].cesql", "invalid CESQL expression");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Rejects_a_second_policy_of_the_same_name_in_the_namespace()
    {
        var errors = folder.LoadErrors(Documents(EventPolicyYaml(string.Empty), EventPolicyYaml(string.Empty)));

        ErrorAssert.HasOnlyError(errors, 1, "metadata.name", "duplicate EventPolicy default/ep");
    }

    [Fact]
    public void A_policy_written_back_loads_as_the_same_policy()
    {
        var original = folder.LoadValid("""
            apiVersion: eventing.knative.dev/v1alpha1
            kind: EventPolicy
            metadata:
              name: every-field
              namespace: skylark
            spec:
              to:
                - ref:
                    apiVersion: eventing.knative.dev/v1
                    kind: Broker
                    name: default
                - selector:
                    apiVersion: eventing.knative.dev/v1
                    kind: Broker
                    matchExpressions:
                      - key: zone
                        operator: NotIn
                        values: ["1", "true"]
                - selector:
                    apiVersion: eventing.knative.dev/v1
                    kind: Broker
                    matchLabels: {}
              from:
                - sub: "*"
                - ref:
                    apiVersion: v1
                    kind: ServiceAccount
                    name: operator
                    namespace: admin
              filters:
                - not:
                    prefix:
                      type: io.skylark.camera.
            """);

        var written = KnativeYaml.Write(original);
        var reloaded = folder.LoadValid(written);

        Assert.Equal(written, KnativeYaml.Write(reloaded));
        var policy = Assert.Single(reloaded.EventPolicies);
        Assert.Equal(["1", "true"], policy.To[1].Selector!.MatchExpressions[0].Values);
        Assert.Empty(policy.To[2].Selector!.MatchLabels);
        Assert.Equal(new KReference("ServiceAccount", "operator", "admin", "v1"), policy.From[1].Ref);
        Assert.Equal("io.skylark.camera.", policy.Filters[0].Not!.Prefix!["type"]);
    }
}
