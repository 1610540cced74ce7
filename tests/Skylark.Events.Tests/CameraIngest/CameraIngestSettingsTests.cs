using Skylark.Events.CameraIngest;
using Skylark.Events.Hosting;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>The standalone camera ingest's settings, read as <c>SkylarkService</c> hands them over (environment without its SKYLARK_ prefix).</summary>
public sealed class CameraIngestSettingsTests
{
    private static readonly string[] Node = ["--node", "edge-1", "--redis", "10.0.0.5:6379"];

    private static IConfiguration Configuration(string[] args, Dictionary<string, string?>? environment = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment ?? []).AddCommandLine(args).Build();

    [Fact]
    public void A_container_source_s_environment_gives_the_sink_its_overrides_the_broker_and_the_node()
    {
        var settings = CameraIngestSettings.From(Configuration(Node, new()
        {
            ["K_SINK"] = "http://broker-ingress.knative-eventing.svc/skylark/default",
            ["K_CE_OVERRIDES"] = """{"extensions":{"cluster":"edge-a"}}""",
            ["MQTT"] = "mqtt://camera@mosquitto.skylark.svc:1883",
            ["MQTT_PASSWORD"] = "s3cret",
            ["REDIS_PASSWORD"] = "redis-secret",
        }));
        var options = new CameraIngestOptions();
        var state = new StateOptions();

        settings.Configure(options);
        settings.State(state);

        Assert.Equal(new Uri("http://broker-ingress.knative-eventing.svc/skylark/default"), options.Binding!.Sink);
        Assert.Equal("edge-a", options.Binding.ExtensionOverrides["cluster"]);
        Assert.Equal(("mosquitto.skylark.svc", 1883, "camera", "s3cret"), (options.Broker!.Host, options.Broker.Port, options.Broker.UserName, options.Broker.Password));
        Assert.Equal(("edge-1", "10.0.0.5:6379", "redis-secret"), (state.Node, state.Configuration, state.Password));
        options.Validate();
    }

    [Fact]
    public void The_mqtt_password_can_come_from_a_mounted_file()
    {
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("mqtt"), "fr0m-file\n");

        var settings = CameraIngestSettings.From(Configuration(
            [.. Node, "--mqtt", "mqtt://camera@127.0.0.1:1883", "--mqtt-password-file", scratch.File("mqtt")],
            new() { ["K_SINK"] = "http://127.0.0.1:8080/skylark/default" }));

        Assert.Equal("fr0m-file", settings.Broker.Password);
    }

    [Theory]
    [InlineData("{not json", "--ce-overrides (K_CE_OVERRIDES) is not valid JSON: ")]
    [InlineData("[1]", "--ce-overrides (K_CE_OVERRIDES) must be a JSON object such as {\"extensions\":{\"name\":\"value\"}}.")]
    [InlineData("""{"extensions":{"id":"x"}}""", "--ce-overrides (K_CE_OVERRIDES) has extensions.id, which is not a CloudEvents attribute name")]
    public void A_bad_K_CE_OVERRIDES_is_a_configuration_problem_naming_the_key(string overrides, string expected)
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => CameraIngestSettings.From(Configuration(
            [.. Node, "--mqtt", "mqtt://127.0.0.1:1883"],
            new() { ["K_SINK"] = "http://127.0.0.1:8080/skylark/default", ["K_CE_OVERRIDES"] = overrides })));

        Assert.StartsWith(expected, Assert.Single(error.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_mqtt_password_is_never_on_the_command_line_nor_in_the_url()
    {
        Dictionary<string, string?> sink = new() { ["K_SINK"] = "http://127.0.0.1:8080/skylark/default" };

        var onCommandLine = Assert.Throws<ServiceConfigurationException>(() => CameraIngestSettings.From(Configuration(
            [.. Node, "--mqtt", "mqtt://camera@127.0.0.1:1883", "--mqtt-password", "s3cret"], sink)));
        var inUrl = Assert.Throws<ServiceConfigurationException>(() => CameraIngestSettings.From(Configuration(
            [.. Node, "--mqtt", "mqtt://camera:s3cret@127.0.0.1:1883"], sink)));

        Assert.Equal(
            "SKYLARK_MQTT_PASSWORD is a secret and is never read from the command line; set SKYLARK_MQTT_PASSWORD or name a file with --mqtt-password-file.",
            onCommandLine.Message);
        Assert.Equal(
            "--mqtt (SKYLARK_MQTT) carries a password; give the URL without it and the password in SKYLARK_MQTT_PASSWORD or a file named by --mqtt-password-file.",
            inUrl.Message);
        Assert.DoesNotContain("s3cret", inUrl.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1883", "--mqtt (SKYLARK_MQTT) is not a broker URL: MQTT broker URL 'http://127.0.0.1:1883' has scheme 'http'; expected mqtt:// or mqtts://.")]
    [InlineData("mqtt://127.0.0.1:1883", "SKYLARK_MQTT_PASSWORD needs a user name in --mqtt, e.g. mqtt://camera@127.0.0.1:1883.")]
    public void A_broker_the_bridge_cannot_log_in_to_is_named(string url, string expected)
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => CameraIngestSettings.From(Configuration(
            [.. Node, "--mqtt", url],
            new() { ["K_SINK"] = "http://127.0.0.1:8080/skylark/default", ["MQTT_PASSWORD"] = "s3cret" })));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void The_dead_letter_sink_is_optional_and_must_be_an_http_url()
    {
        string[] args = [.. Node, "--mqtt", "mqtt://127.0.0.1:1883"];
        Dictionary<string, string?> sink = new() { ["K_SINK"] = "http://127.0.0.1:8080/skylark/default" };
        var options = new CameraIngestOptions();

        CameraIngestSettings.From(Configuration(args, new(sink) { ["DEAD_LETTER_SINK"] = "http://dead-letters.skylark.svc/" })).Configure(options);
        var without = CameraIngestSettings.From(Configuration(args, sink));
        var error = Assert.Throws<ServiceConfigurationException>(() => CameraIngestSettings.From(Configuration([.. args, "--dead-letter-sink", "dead-letters:8090"], sink)));

        Assert.Equal(new Uri("http://dead-letters.skylark.svc/"), options.DeadLetterSinkUrl);
        Assert.Null(without.DeadLetterSink);
        Assert.StartsWith("--dead-letter-sink (SKYLARK_DEAD_LETTER_SINK) must be an absolute http(s) URL", Assert.Single(error.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_missing_setting_is_named_on_a_line_of_its_own()
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => CameraIngestSettings.From(Configuration([])));

        Assert.Equal(
            [
                "--node (SKYLARK_NODE) is required.",
                "--redis (SKYLARK_REDIS) is required.",
                "--sink (K_SINK) is required.",
                "--mqtt (SKYLARK_MQTT) is required.",
            ],
            error.Problems.Select(p => p.ToString()));
    }
}
