using CloudNative.CloudEvents;
using Skylark.Events.CameraIngest.Sink;

namespace Skylark.Events.Tests.CameraIngest.Sink;

public class SinkBindingTests
{
    private static readonly Uri Configured = new("http://127.0.0.1:8080/skylark/default");

    private static Dictionary<string, string?> Environment(params (string Name, string? Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void K_SINK_injected_by_a_sink_binding_wins_over_the_configured_sink()
    {
        var binding = SinkBinding.Resolve(Configured, Environment(("K_SINK", "http://broker-ingress.knative-eventing.svc/skylark/default")));

        Assert.Equal(new Uri("http://broker-ingress.knative-eventing.svc/skylark/default"), binding.Sink);
        Assert.True(binding.FromEnvironment);
    }

    [Fact]
    public void Without_K_SINK_the_configured_sink_is_used()
    {
        var binding = SinkBinding.Resolve(Configured, Environment(("K_SINK", "  "), ("OTHER", "x")));

        Assert.Equal(Configured, binding.Sink);
        Assert.False(binding.FromEnvironment);
        Assert.Empty(binding.ExtensionOverrides);
    }

    [Fact]
    public void Without_any_sink_the_error_says_how_to_give_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SinkBinding.Resolve(null, Environment()));

        Assert.Contains("K_SINK", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://host/x")]
    [InlineData("/relative")]
    public void A_malformed_K_SINK_is_an_error_not_a_silent_fallback(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SinkBinding.Resolve(Configured, Environment(("K_SINK", value))));

        Assert.Contains($"K_SINK '{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void K_CE_OVERRIDES_extensions_are_set_on_every_outgoing_event_replacing_its_own()
    {
        var binding = SinkBinding.Resolve(
            Configured,
            Environment(("K_CE_OVERRIDES", """{"extensions":{"cluster":"edge-a","camera":"overridden"}}""")));
        var cloudEvent = new CloudEvent { Id = "1", Source = new Uri("/s", UriKind.Relative), Type = "t" };
        cloudEvent["camera"] = "cam-1";

        binding.ApplyTo(cloudEvent);

        Assert.Equal("edge-a", cloudEvent["cluster"]);
        Assert.Equal("overridden", cloudEvent["camera"]);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("""{"extensions":{"n":1}}""", "must be a string")]
    [InlineData("""{"extensions":{"Bad-Name":"v"}}""", "not a CloudEvents attribute name")]
    [InlineData("""{"extensions":[]}""", "must be a JSON object of strings")]
    public void A_malformed_K_CE_OVERRIDES_is_an_error(string value, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SinkBinding.Resolve(Configured, Environment(("K_CE_OVERRIDES", value))));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_process_environment_is_read_when_no_dictionary_is_given()
    {
        // Only reads: whatever the process environment holds, the result agrees with it.
        var fromProcess = System.Environment.GetEnvironmentVariable("K_SINK");
        var binding = SinkBinding.Resolve(Configured);

        Assert.Equal(string.IsNullOrWhiteSpace(fromProcess) ? Configured : new Uri(fromProcess.Trim()), binding.Sink);
    }
}
