using Microsoft.Extensions.Options;
using Skylark.Events.State;
using Skylark.Events.StateSink;

namespace Skylark.Events.Tests.StateSink;

public sealed class StateSinkSettingsTests
{
    private static IConfiguration CommandLine(params string[] args) => new ConfigurationBuilder().AddCommandLine(args).Build();

    [Fact]
    public void The_standalone_command_line_configures_the_node_its_redis_topology_token_and_peers()
    {
        var settings = StateSinkSettings.From(CommandLine(
            "--node", "edge-1", "--redis", "10.0.0.5:6380", "--redis-password", "secret", "--topology", "topologies/three-nodes.yaml",
            "--peer-token", "peer-secret", "--sinks", "sat-1=http://10.0.0.6:8080, cloud=https://cloud.example:8443",
            "--key-prefix", "skylark-test", "--memory-budget", "67108864", "--urls", "http://0.0.0.0:8080"));
        var state = new StateOptions();
        var sink = new StateSinkOptions();

        settings.Configure(state);
        settings.Configure(sink);

        Assert.Equal(("edge-1", "10.0.0.5:6380", "secret", "skylark-test"), (state.Node, state.Configuration, state.Password, state.KeyPrefix));
        Assert.Equal(("peer-secret", "topologies/three-nodes.yaml", 67_108_864L), (sink.PeerToken, sink.TopologyPath, sink.MemoryBudgetBytes));
        Assert.Equal(new Uri("http://10.0.0.6:8080"), sink.Sinks["sat-1"]);
        Assert.Equal(new Uri("https://cloud.example:8443"), sink.Sinks["cloud"]);
        sink.Validate();
        state.Validate();
    }

    [Fact]
    public void Settings_can_come_from_SKYLARK_environment_variables()
    {
        // What AddEnvironmentVariables("SKYLARK_") makes of SKYLARK_NODE, SKYLARK_REDIS_PASSWORD, SKYLARK_PEER_TOKEN, …
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NODE"] = "sat-1",
            ["REDIS"] = "127.0.0.1:6379",
            ["REDIS_PASSWORD"] = "pw",
            ["TOPOLOGY"] = "/etc/skylark/topology.yaml",
            ["PEER_TOKEN"] = "t0ken",
            ["SINKS"] = "edge-1=http://edge:8080",
        }).Build();

        var settings = StateSinkSettings.From(configuration);

        Assert.Equal(("sat-1", "127.0.0.1:6379", "pw", "t0ken"), (settings.Node, settings.Redis, settings.RedisPassword, settings.PeerToken));
        Assert.Equal("/etc/skylark/topology.yaml", settings.TopologyPath);
        Assert.Equal(new Uri("http://edge:8080"), settings.Sinks["edge-1"]);
    }

    [Fact]
    public void Missing_settings_are_all_named_together_with_the_usage()
    {
        var error = Assert.Throws<ArgumentException>(() => StateSinkSettings.From(CommandLine("--node", "edge-1")));

        Assert.Contains("--redis (or SKYLARK_REDIS) is required.", error.Message, StringComparison.Ordinal);
        Assert.Contains("--topology (or SKYLARK_TOPOLOGY) is required.", error.Message, StringComparison.Ordinal);
        Assert.Contains("--peer-token (or SKYLARK_PEER_TOKEN) is required.", error.Message, StringComparison.Ordinal);
        Assert.Contains("usage: statesink", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--node", error.Message.Split("usage:")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--sinks", "sat-1", "'sat-1' is not")]
    [InlineData("--sinks", "sat-1=ftp://x", "'sat-1=ftp://x' is not")]
    [InlineData("--memory-budget", "lots", "--memory-budget must be a positive number of bytes; got 'lots'")]
    public void Malformed_values_are_refused_with_the_reason(string option, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => StateSinkSettings.From(CommandLine(
            "--node", "edge-1", "--redis", "127.0.0.1:6379", "--topology", "t.yaml", "--peer-token", "x", option, value)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sink_without_a_peer_token_refuses_to_start()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStateSink(options => options.PeerToken = " ");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IOptions<StateSinkOptions>>().Value);

        Assert.Contains("PeerToken is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_three_node_topology_loads_and_names_the_node()
    {
        var settings = StateSinkSettings.From(CommandLine(
            "--node", "edge", "--redis", "127.0.0.1:6379", "--topology", Path.Combine(Support.RepositoryPaths.Root, "topologies", "three-nodes.yaml"), "--peer-token", "x"));
        var source = new FileTopologySource(settings.TopologyPath);

        var topology = await source.LoadAsync(CancellationToken.None);

        Assert.True(topology.Contains(settings.Node));
    }
}
