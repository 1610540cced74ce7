using Skylark.Events.Functions.Alarm;
using Skylark.Events.Hosting;

namespace Skylark.Events.Tests.Functions.Alarm;

public sealed class AlarmServiceSettingsTests
{
    private static IConfiguration Configuration(string[] args, Dictionary<string, string?>? environment = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment ?? []).AddCommandLine(args).Build();

    [Fact]
    public void Without_a_broker_alarms_stay_in_the_log()
    {
        var settings = AlarmServiceSettings.From(Configuration(["--node", "cloud", "--redis", "127.0.0.1:6379"]));

        Assert.Null(settings.Broker);
    }

    [Fact]
    public void Apart_from_its_nodes_statesink_it_pulls_through_it_as_the_other_functions_do()
    {
        var settings = AlarmServiceSettings.From(Configuration(["--node", "cloud", "--redis", "127.0.0.1:6379", "--node-sink", "http://127.0.0.1:8081/"]));

        Assert.Equal(new Uri("http://127.0.0.1:8081/"), settings.State.NodeSink);
    }

    [Fact]
    public void The_broker_is_the_same_mqtt_setting_the_camera_ingest_reads()
    {
        var settings = AlarmServiceSettings.From(Configuration(
            ["--node", "cloud", "--redis", "127.0.0.1:6379", "--mqtt", "mqtts://alarm@broker.example"],
            new() { ["MQTT_PASSWORD"] = "s3cret" }));

        Assert.Equal(("broker.example", 8883, true, "alarm", "s3cret"), (settings.Broker!.Host, settings.Broker.Port, settings.Broker.UseTls, settings.Broker.UserName, settings.Broker.Password));
    }

    [Fact]
    public void A_password_without_a_broker_is_a_mistake_not_ignored()
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => AlarmServiceSettings.From(Configuration(
            ["--node", "cloud", "--redis", "127.0.0.1:6379"],
            new() { ["MQTT_PASSWORD"] = "s3cret" })));

        Assert.Equal("SKYLARK_MQTT_PASSWORD is set but --mqtt (SKYLARK_MQTT) is not; name the broker too.", error.Message);
    }
}
