using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Resources.Manifests;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class TriggerValidationTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_broker_attribute_filter_and_subscriber()
    {
        var model = folder.LoadValid("""
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: detect
              namespace: skylark
            spec:
              broker: default
              filter:
                attributes:
                  type: io.skylark.function.completed
                  function: preprocess
              subscriber:
                ref:
                  apiVersion: serving.knative.dev/v1
                  kind: Service
                  name: detect
            """);

        var trigger = Assert.Single(model.Triggers);
        Assert.Equal("default", trigger.Broker);
        Assert.Equal(
            new Dictionary<string, string> { ["type"] = "io.skylark.function.completed", ["function"] = "preprocess" },
            trigger.FilterAttributes);
        Assert.Empty(trigger.Filters);
        Assert.Null(trigger.Delivery);
        Assert.Equal(new Destination(new KReference("Service", "detect", "skylark", "serving.knative.dev/v1"), null), trigger.Subscriber);
    }

    [Fact]
    public void Reads_the_subscribers_oidc_audience_for_a_target_that_announces_none()
    {
        var model = folder.LoadValid("""
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: propagate-edge
              namespace: skylark
            spec:
              broker: default
              subscriber:
                ref:
                  apiVersion: serving.knative.dev/v1
                  kind: Service
                  name: statesink-edge
                audience: serving.knative.dev/service/skylark/statesink-edge
            """);

        Assert.Equal("serving.knative.dev/service/skylark/statesink-edge", Assert.Single(model.Triggers).Subscriber.Audience);
    }

    [Fact]
    public void Has_no_attribute_filter_when_spec_filter_is_absent()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYamlWith(string.Empty)).Triggers);

        Assert.Null(trigger.FilterAttributes);
    }

    [Fact]
    public void Requires_spec()
    {
        var errors = folder.LoadErrors("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\n");

        ErrorAssert.HasOnlyError(errors, 0, "spec", "required");
    }

    [Fact]
    public void Requires_a_broker()
    {
        var errors = folder.LoadErrors(TriggerYaml(ValidSubscriber));

        ErrorAssert.HasOnlyError(errors, 0, "spec.broker", "required");
    }

    [Fact]
    public void Requires_a_subscriber()
    {
        var errors = folder.LoadErrors(TriggerYaml("broker: default"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.subscriber", "required");
    }

    [Fact]
    public void Requires_a_ref_or_uri_in_the_subscriber()
    {
        var errors = folder.LoadErrors(TriggerYaml("broker: default\nsubscriber: {}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.subscriber", "expected at least one of ref, uri");
    }

    [Fact]
    public void Requires_kind_name_and_apiVersion_in_a_subscriber_ref()
    {
        var errors = folder.LoadErrors(TriggerYaml("broker: default\nsubscriber:\n  ref:\n    namespace: skylark"));

        ErrorAssert.HasError(errors, 0, "spec.subscriber.ref.kind", "required");
        ErrorAssert.HasError(errors, 0, "spec.subscriber.ref.name", "required");
        ErrorAssert.HasError(errors, 0, "spec.subscriber.ref.apiVersion", "required");
        Assert.Equal(3, errors.Count);
    }

    [Theory]
    [InlineData("relative/path")]
    [InlineData("/absolute-path-without-host")]
    public void Requires_an_absolute_uri_when_the_subscriber_has_no_ref(string uri)
    {
        var errors = folder.LoadErrors(TriggerYaml($"broker: default\nsubscriber:\n  uri: {uri}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.subscriber.uri", "must be absolute");
    }

    [Fact]
    public void Accepts_an_absolute_uri_subscriber()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYaml("broker: default\nsubscriber:\n  uri: http://127.0.0.1:9000/events")).Triggers);

        Assert.Null(trigger.Subscriber.Ref);
        Assert.Equal(new Uri("http://127.0.0.1:9000/events"), trigger.Subscriber.Uri);
    }

    [Fact]
    public void Accepts_a_uri_relative_to_the_subscriber_ref()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYaml(ValidSubscriber.Replace("  ref:", "  uri: /extra/path\n  ref:", StringComparison.Ordinal) + "\nbroker: default")).Triggers);

        Assert.NotNull(trigger.Subscriber.Ref);
        Assert.Equal("/extra/path", trigger.Subscriber.Uri?.OriginalString);
    }

    [Fact]
    public void Rejects_an_absolute_uri_together_with_a_ref()
    {
        var errors = folder.LoadErrors(TriggerYaml(ValidSubscriber.Replace("  ref:", "  uri: http://elsewhere/\n  ref:", StringComparison.Ordinal) + "\nbroker: default"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.subscriber.uri", "absolute URI is not allowed together with ref");
    }

    [Fact]
    public void Keeps_an_explicit_subscriber_ref_namespace()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYaml(ValidSubscriber + "\n    namespace: other\nbroker: default")).Triggers);

        Assert.Equal("other", trigger.Subscriber.Ref?.Namespace);
    }

    [Theory]
    [InlineData("Type")]
    [InlineData("my-ext")]
    [InlineData("my_ext")]
    [InlineData("1abc")]
    public void Rejects_filter_attribute_names_knative_rejects(string attribute)
    {
        var errors = folder.LoadErrors(TriggerYamlWith($"filter:\n  attributes:\n    {attribute}: value"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.filter.attributes", $"invalid key \"{attribute}\"");
    }

    [Fact]
    public void Accepts_an_empty_attribute_value_which_knative_treats_as_any_value()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYamlWith("filter:\n  attributes:\n    source: \"\"")).Triggers);

        Assert.Equal(string.Empty, trigger.FilterAttributes!["source"]);
    }

    [Fact]
    public void Validates_the_trigger_delivery_spec()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("delivery:\n  retry: -2"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.retry", "must be >= 0");
    }
}
