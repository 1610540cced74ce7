using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>The project's own <c>eventing/</c> resources, as the embedded broker loads them.</summary>
public sealed class ShippedEventingTests
{
    private static readonly string EventingFolder = RepositoryPaths.InRoot("eventing");

    private static EventingModel Load() => ResourceLoader.Load([EventingFolder]);

    [Fact]
    public void Loads_without_errors_or_warnings()
    {
        var logger = new RecordingLogger();

        ResourceLoader.Load([EventingFolder], logger);

        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Defines_the_default_broker_in_the_skylark_namespace_with_retries_and_a_dead_letter_sink()
    {
        var broker = Assert.Single(Load().Brokers);

        Assert.Equal((SkylarkDefaults.Broker, SkylarkDefaults.Namespace), (broker.Meta.Name, broker.Meta.Namespace));
        Assert.Equal(
            new DeliverySpec(
                new Destination(new KReference("Service", "dead-letters", SkylarkDefaults.Namespace, "serving.knative.dev/v1"), null),
                // 12.6 s of backoff in all: longer than a crashed function or StateSink takes to serve again.
                6,
                BackoffPolicy.Exponential,
                TimeSpan.FromMilliseconds(200),
                null,
                null),
            broker.Delivery);
    }

    [Fact]
    public void Routes_the_pipeline_and_the_predictor_through_five_triggers_on_the_default_broker()
    {
        var triggers = Load().Triggers.ToDictionary(t => t.Meta.Name);

        Assert.Equal(["alarm", "detect", "predictor", "predictor-workflow-start", "preprocess"], triggers.Keys.Order(StringComparer.Ordinal));
        Assert.All(triggers.Values, t =>
        {
            Assert.Equal(SkylarkDefaults.Namespace, t.Meta.Namespace);
            Assert.Equal(SkylarkDefaults.Broker, t.Broker);
            Assert.Empty(t.Filters);
            Assert.Null(t.Delivery);
            var service = t.Meta.Name.StartsWith("predictor", StringComparison.Ordinal) ? "predictor" : t.Meta.Name;
            Assert.Equal(new KReference("Service", service, SkylarkDefaults.Namespace, "serving.knative.dev/v1"), t.Subscriber.Ref);
        });

        Assert.Equal(Attributes((AttributeType, EventTypes.CameraFrame)), triggers["preprocess"].FilterAttributes);
        Assert.Equal(
            Attributes((AttributeType, EventTypes.FunctionCompleted), (ExtensionNames.Function, "preprocess")),
            triggers["detect"].FilterAttributes);
        Assert.Equal(
            Attributes((AttributeType, EventTypes.FunctionCompleted), (ExtensionNames.Function, "detect"), (ExtensionNames.Detected, "true")),
            triggers["alarm"].FilterAttributes);
        Assert.Equal(Attributes((AttributeType, EventTypes.FunctionCompleted)), triggers["predictor"].FilterAttributes);

        // Each workflow's first event too, so the predictor can send the first function's output ahead.
        Assert.Equal(Attributes((AttributeType, EventTypes.CameraFrame)), triggers["predictor-workflow-start"].FilterAttributes);
    }

    [Theory]
    [InlineData("broker.yaml")]
    [InlineData("triggers.yaml")]
    [InlineData("policies.yaml")]
    public void Each_file_starts_with_a_comment_explaining_it(string file)
    {
        var firstLine = File.ReadLines(Path.Combine(EventingFolder, file)).First();

        Assert.StartsWith("# ", firstLine, StringComparison.Ordinal);
    }

    private const string AttributeType = "type";

    private static Dictionary<string, string> Attributes(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);
}
