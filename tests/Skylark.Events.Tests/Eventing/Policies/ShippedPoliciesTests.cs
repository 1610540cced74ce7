using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;
using static Skylark.Events.Tests.Eventing.Policies.EventPolicyAuthorizerTests;

namespace Skylark.Events.Tests.Eventing.Policies;

/// <summary>The shipped <c>eventing/policies.yaml</c>: every producer of the pipeline may send its own events, and only those.</summary>
public sealed class ShippedPoliciesTests
{
    private static readonly EventingModel Model = ResourceLoader.Load([RepositoryPaths.InRoot("eventing")]);
    private static readonly EventPolicyAuthorizer Authorizer = new(Model.EventPolicies);
    private static readonly PolicyReceiver Broker = PolicyReceiver.Broker(SkylarkDefaults.Namespace, SkylarkDefaults.Broker);

    private static readonly PolicyReceiver StateSink = new(
        "serving.knative.dev", "Service", SkylarkDefaults.Namespace, "statesink-sat", new Dictionary<string, string> { ["skylark.io/component"] = "statesink" });

    private static string Account(string name) => OidcIdentity.Subject(SkylarkDefaults.Namespace, name);

    private static string TriggerIdentity(string trigger) =>
        OidcIdentity.SubjectFor(PolicyReceiver.EventingGroup, "Trigger", SkylarkDefaults.Namespace, trigger);

    [Fact]
    public void Every_policy_applies_to_the_default_broker()
    {
        Assert.Equal(
            ["operator", "predictor-propagates", "functions-complete", "alarm-raises", "cameras-send-frames", "statesinks-report"],
            Authorizer.PoliciesFor(Broker));
        Assert.Equal(["operator", "statesink-commands"], Authorizer.PoliciesFor(StateSink));
        Assert.False(Authorizer.AppliesTo(PolicyReceiver.Broker(SkylarkDefaults.Namespace, "other")));
    }

    [Fact]
    public void The_predictor_may_send_propagate_commands_but_not_completions()
    {
        Assert.True(Authorizer.Authorize(Broker, Account("predictor"), Event(EventTypes.StatePropagate)).Allowed);

        var forged = Authorizer.Authorize(Broker, Account("predictor"), Event(EventTypes.FunctionCompleted));
        Assert.False(forged.Allowed);
        Assert.Equal("predictor-propagates", forged.Policy);
    }

    [Fact]
    public void The_camera_ingest_may_send_only_frames()
    {
        Assert.True(Authorizer.Authorize(Broker, Account("camera-ingest"), Event(EventTypes.CameraFrame)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, Account("camera-ingest"), Event(EventTypes.FunctionCompleted)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, Account("camera-ingest"), Event(EventTypes.StatePropagate)).Allowed);
    }

    [Theory]
    [InlineData(EventTypes.CameraFrame)]
    [InlineData(EventTypes.StatePropagate)]
    [InlineData("com.example.anything")]
    public void The_operator_may_send_anything(string type)
    {
        Assert.Equal("operator", Authorizer.Authorize(Broker, Account("operator"), Event(type)).Policy);
        Assert.True(Authorizer.Authorize(Broker, Account("operator"), Event(type)).Allowed);
    }

    [Fact]
    public void An_unknown_subject_is_refused_even_from_the_namespace()
    {
        var decision = Authorizer.Authorize(Broker, Account("intruder"), Event(EventTypes.CameraFrame));

        Assert.False(decision.Allowed);
        Assert.StartsWith("no EventPolicy applying to Broker skylark/default", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("preprocess")]
    [InlineData("detect")]
    [InlineData("alarm")]
    public void A_function_reports_completion_itself_or_as_its_triggers_reply_and_nothing_else(string function)
    {
        Assert.True(Authorizer.Authorize(Broker, Account(function), Event(EventTypes.FunctionCompleted)).Allowed);
        Assert.True(Authorizer.Authorize(Broker, TriggerIdentity(function), Event(EventTypes.FunctionCompleted)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, TriggerIdentity(function), Event(EventTypes.CameraFrame)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, TriggerIdentity(function), Event(EventTypes.StatePropagate)).Allowed);
    }

    [Fact]
    public void Only_the_alarm_raises_alarms()
    {
        Assert.Equal("alarm-raises", Authorizer.Authorize(Broker, TriggerIdentity("alarm"), Event(EventTypes.AlarmRaised)).Policy);
        Assert.True(Authorizer.Authorize(Broker, TriggerIdentity("alarm"), Event(EventTypes.AlarmRaised)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, TriggerIdentity("detect"), Event(EventTypes.AlarmRaised)).Allowed);
    }

    [Theory]
    [InlineData("edge-1")]
    [InlineData("a-node-name-long-enough-for-knative-to-hash-it")]
    public void A_statesinks_reply_to_its_propagate_trigger_is_admitted_but_nothing_else_it_might_send(string node)
    {
        var trigger = TriggerIdentity($"propagate-{node}");

        Assert.Equal("statesinks-report", Authorizer.Authorize(Broker, trigger, Event(EventTypes.StatePropagated)).Policy);
        Assert.True(Authorizer.Authorize(Broker, trigger, Event(EventTypes.StatePropagated)).Allowed);
        Assert.True(Authorizer.Authorize(Broker, Account($"statesink-{node}"), Event(EventTypes.StatePropagated)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, trigger, Event(EventTypes.StatePropagate)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, Account($"statesink-{node}"), Event(EventTypes.FunctionCompleted)).Allowed);
    }

    [Fact]
    public void The_predictors_triggers_are_not_admitted_because_the_predictor_never_replies()
    {
        Assert.False(Authorizer.Authorize(Broker, TriggerIdentity("predictor"), Event(EventTypes.StatePropagate)).Allowed);
        Assert.False(Authorizer.Authorize(Broker, TriggerIdentity("predictor-workflow-start"), Event(EventTypes.StatePropagate)).Allowed);
    }

    [Fact]
    public void A_statesink_takes_propagate_commands_from_its_trigger_and_the_functions_and_pings_from_the_pingsource()
    {
        var ping = OidcIdentity.SubjectFor("sources.knative.dev", "PingSource", SkylarkDefaults.Namespace, "statesink-sync");

        Assert.True(Authorizer.Authorize(StateSink, TriggerIdentity("propagate-sat"), Event(EventTypes.StatePropagate)).Allowed);
        Assert.True(Authorizer.Authorize(StateSink, Account("detect"), Event(EventTypes.StatePropagate)).Allowed);
        Assert.True(Authorizer.Authorize(StateSink, ping, Event(EventTypes.Ping)).Allowed);
        Assert.True(Authorizer.Authorize(StateSink, Account("operator"), Event("com.example.anything")).Allowed);
    }

    [Fact]
    public void A_statesink_refuses_commands_from_the_predictor_the_cameras_and_unknown_senders()
    {
        Assert.False(Authorizer.Authorize(StateSink, Account("predictor"), Event(EventTypes.StatePropagate)).Allowed);
        Assert.False(Authorizer.Authorize(StateSink, Account("camera-ingest"), Event(EventTypes.StatePropagate)).Allowed);
        Assert.False(Authorizer.Authorize(StateSink, Account("someone"), Event(EventTypes.StatePropagate)).Allowed);
        Assert.False(Authorizer.Authorize(StateSink, TriggerIdentity("propagate-sat"), Event(EventTypes.FunctionCompleted)).Allowed);
    }
}
