using Skylark.Events.Predictor;

namespace Skylark.Events.Tests.Predictor;

public sealed class PredictorSettingsTests
{
    private static PredictorOptions Read(string[] args, Dictionary<string, string?>? environment = null)
    {
        var configure = PredictorSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(environment ?? []).AddCommandLine(args).Build());
        var options = new PredictorOptions();
        configure(options);
        return options;
    }

    [Fact]
    public void The_settings_name_the_topology_and_its_epoch_the_model_store_the_broker_and_the_policy()
    {
        var options = Read(
            ["--topology", "topologies/three-nodes.yaml", "--topology-epoch", "2026-12-05T10:00:00Z", "--redis", "127.0.0.1:6380", "--eventing", "eventing,extra.yaml", "--policy", "databelt"],
            new() { ["REDIS_PASSWORD"] = "secret", ["K_SINK"] = "http://127.0.0.1:8080/skylark/default" });

        Assert.Equal(("topologies/three-nodes.yaml", new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)), (options.TopologyPath, options.TopologyEpoch));
        Assert.Equal(("127.0.0.1:6380", "secret"), (options.Redis, options.RedisPassword));
        Assert.Equal(new Uri("http://127.0.0.1:8080/skylark/default"), options.BrokerUrl);
        Assert.Equal(["eventing", "extra.yaml"], options.EventingPaths);
        Assert.Equal(PredictorPolicy.Databelt, options.Policy);
    }

    [Fact]
    public void Without_an_epoch_the_predictor_counts_snapshots_from_its_own_start()
    {
        Assert.Null(Read(["--topology", "topologies/three-nodes.yaml"]).TopologyEpoch);
    }
}
