using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Resources.Manifests;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class DeliverySpecValidationTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_every_delivery_field()
    {
        var broker = Assert.Single(folder.LoadValid(BrokerYaml("""
            delivery:
              retry: 5
              backoffPolicy: linear
              backoffDelay: PT0.5S
              timeout: PT10S
              retryAfterMax: PT1M
              format: binary
              deadLetterSink:
                uri: http://127.0.0.1:7000/dead
            """)).Brokers);

        Assert.Equal(
            new DeliverySpec(
                new Destination(null, new Uri("http://127.0.0.1:7000/dead")),
                5,
                BackoffPolicy.Linear,
                TimeSpan.FromMilliseconds(500),
                TimeSpan.FromSeconds(10),
                TimeSpan.FromMinutes(1)),
            broker.Delivery);
    }

    [Fact]
    public void Leaves_unset_fields_null()
    {
        var broker = Assert.Single(folder.LoadValid(BrokerYaml("delivery:\n  retry: 0")).Brokers);

        Assert.Equal(new DeliverySpec(null, 0, null, null, null, null), broker.Delivery);
    }

    [Fact]
    public void Has_no_delivery_spec_when_absent()
    {
        Assert.Null(Assert.Single(folder.LoadValid(BrokerYaml("config:\n  apiVersion: v1\n  kind: ConfigMap\n  name: cfg")).Brokers).Delivery);
    }

    [Fact]
    public void Rejects_a_negative_retry()
    {
        var errors = folder.LoadErrors(BrokerYaml("delivery:\n  retry: -1"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.retry", "must be >= 0, got -1");
    }

    [Theory]
    [InlineData("\"3\"")]
    [InlineData("three")]
    [InlineData("2.5")]
    public void Requires_retry_to_be_an_integer(string retry)
    {
        var errors = folder.LoadErrors(BrokerYaml($"delivery:\n  retry: {retry}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.retry", "expected a 32-bit integer");
    }

    [Theory]
    [InlineData("Exponential")]
    [InlineData("random")]
    public void Rejects_a_backoff_policy_other_than_linear_or_exponential(string policy)
    {
        var errors = folder.LoadErrors(BrokerYaml($"delivery:\n  backoffPolicy: {policy}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.backoffPolicy", $"must be linear or exponential, got \"{policy}\"");
    }

    [Theory]
    [InlineData("backoffDelay", "200ms")]
    [InlineData("timeout", "10")]
    [InlineData("retryAfterMax", "1 minute")]
    public void Rejects_durations_that_are_not_iso8601(string field, string value)
    {
        var errors = folder.LoadErrors(BrokerYaml($"delivery:\n  {field}: \"{value}\""));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.delivery.{field}", "is not an ISO-8601 duration");
    }

    [Theory]
    [InlineData("PT0S")]
    [InlineData("-PT1S")]
    public void Requires_a_positive_timeout(string timeout)
    {
        var errors = folder.LoadErrors(BrokerYaml($"delivery:\n  timeout: {timeout}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.timeout", "must be greater than zero");
    }

    [Theory]
    [InlineData("backoffDelay")]
    [InlineData("retryAfterMax")]
    public void Rejects_negative_durations(string field)
    {
        var errors = folder.LoadErrors(BrokerYaml($"delivery:\n  {field}: -PT1S"));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.delivery.{field}", "must not be negative");
    }

    [Fact]
    public void Accepts_a_zero_retry_after_max_to_opt_out_of_retry_after()
    {
        var broker = Assert.Single(folder.LoadValid(BrokerYaml("delivery:\n  retryAfterMax: PT0S")).Brokers);

        Assert.Equal(TimeSpan.Zero, broker.Delivery?.RetryAfterMax);
    }

    [Fact]
    public void Rejects_a_format_other_than_json_or_binary()
    {
        var errors = folder.LoadErrors(BrokerYaml("delivery:\n  format: xml"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.format", "must be json or binary");
    }

    [Fact]
    public void Validates_the_dead_letter_sink_as_a_destination()
    {
        var errors = folder.LoadErrors(BrokerYaml("delivery:\n  deadLetterSink:\n    ref:\n      kind: Service\n      name: dead-letters"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.deadLetterSink.ref.apiVersion", "required");
    }

    [Fact]
    public void Rejects_an_empty_dead_letter_sink()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("delivery:\n  deadLetterSink: {}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.delivery.deadLetterSink", "expected at least one of ref, uri");
    }

    [Fact]
    public void Defaults_the_dead_letter_sink_ref_namespace_to_the_resource_namespace()
    {
        var broker = Assert.Single(folder.LoadValid("""
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata:
              name: default
              namespace: skylark
            spec:
              delivery:
                deadLetterSink:
                  ref:
                    apiVersion: serving.knative.dev/v1
                    kind: Service
                    name: dead-letters
            """).Brokers);

        Assert.Equal(new KReference("Service", "dead-letters", "skylark", "serving.knative.dev/v1"), broker.Delivery?.DeadLetterSink?.Ref);
    }

    [Fact]
    public void Validates_the_broker_config_reference()
    {
        var errors = folder.LoadErrors(BrokerYaml("config:\n  kind: ConfigMap\n  name: cfg"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.config.apiVersion", "required");
    }
}
