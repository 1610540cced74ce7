using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;
using Skylark.Events.State;
using Skylark.Events.StateSink;

namespace Skylark.Events.Tests.StateSink;

public sealed class StateSinkSettingsTests
{
    private static IConfiguration Configuration(string[] args, Dictionary<string, string?>? environment = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment ?? []).AddCommandLine(args).Build();

    [Fact]
    public void The_standalone_command_line_configures_the_node_its_redis_topology_peers_and_budget()
    {
        var settings = StateSinkSettings.From(Configuration(
            ["--node", "edge-1", "--redis", "10.0.0.5:6380", "--topology", "topologies/three-nodes.yaml",
            "--sinks", "sat-1=http://10.0.0.6:8080, cloud=https://cloud.example:8443",
            "--key-prefix", "skylark-test", "--memory-budget", "67108864", "--urls", "http://0.0.0.0:8080"],
            new() { ["REDIS_PASSWORD"] = "secret", ["PEER_TOKEN"] = "peer-secret" }));
        var state = new StateOptions();
        var sink = new StateSinkOptions();

        settings.State(state);
        settings.Configure(sink);

        Assert.Equal(("edge-1", "10.0.0.5:6380", "secret", "skylark-test"), (state.Node, state.Configuration, state.Password, state.KeyPrefix));
        Assert.Equal(("peer-secret", "topologies/three-nodes.yaml", 67_108_864L), (sink.PeerToken, sink.TopologyPath, sink.MemoryBudgetBytes));
        Assert.Equal(new Uri("http://10.0.0.6:8080"), sink.Sinks["sat-1"]);
        Assert.Equal(new Uri("https://cloud.example:8443"), sink.Sinks["cloud"]);
        sink.Validate();
        state.Validate();
    }

    [Fact]
    public void The_peer_token_can_come_from_a_mounted_file_and_never_from_the_command_line()
    {
        using var scratch = new Support.ScratchDirectory();
        File.WriteAllText(scratch.File("token"), "t0ken\n");
        string[] common = ["--node", "sat-1", "--redis", "127.0.0.1:6379", "--topology", "t.yaml"];

        var fromFile = StateSinkSettings.From(Configuration([.. common, "--peer-token-file", scratch.File("token")]));
        var onCommandLine = Assert.Throws<ServiceConfigurationException>(() => StateSinkSettings.From(Configuration([.. common, "--peer-token", "t0ken"])));

        Assert.Equal("t0ken", fromFile.PeerToken);
        Assert.Equal(
            "SKYLARK_PEER_TOKEN is a secret and is never read from the command line; set SKYLARK_PEER_TOKEN or name a file with --peer-token-file.",
            onCommandLine.Message);
    }

    [Fact]
    public void Missing_settings_are_all_named_together_one_line_each()
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => StateSinkSettings.From(Configuration(["--node", "edge-1"])));

        Assert.Equal(
            [
                "--redis (SKYLARK_REDIS) is required.",
                "--topology (SKYLARK_TOPOLOGY) is required.",
                "SKYLARK_PEER_TOKEN is required (or name a file with --peer-token-file).",
            ],
            error.Message.Split(Environment.NewLine));
    }

    [Theory]
    [InlineData("--sinks", "sat-1", "--sinks (SKYLARK_SINKS) entries are <name>=<http(s) url>; 'sat-1' is not.")]
    [InlineData("--sinks", "sat-1=ftp://x", "--sinks (SKYLARK_SINKS) entries are <name>=<http(s) url>; 'sat-1=ftp://x' is not.")]
    [InlineData("--memory-budget", "lots", "--memory-budget (SKYLARK_MEMORY_BUDGET) must be a whole number from 1 to 9223372036854775807; got 'lots'.")]
    [InlineData("--node", "edge/1", "--node (SKYLARK_NODE) must match [A-Za-z0-9_-][A-Za-z0-9._-]{0,127}; got 'edge/1'.")]
    public void Malformed_values_are_refused_with_the_key_and_the_reason(string option, string value, string expected)
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => StateSinkSettings.From(Configuration(
            ["--node", "edge-1", "--redis", "127.0.0.1:6379", "--topology", "t.yaml", option, value], new() { ["PEER_TOKEN"] = "x" })));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_sink_without_a_peer_token_refuses_to_start()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStateSink(options => options.PeerToken = " ");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StateSinkOptions>>().Value);

        Assert.Contains("PeerToken is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_three_node_topology_loads_and_names_the_node()
    {
        var settings = StateSinkSettings.From(Configuration(
            ["--node", "edge", "--redis", "127.0.0.1:6379", "--topology", Path.Combine(Support.RepositoryPaths.Root, "topologies", "three-nodes.yaml")],
            new() { ["PEER_TOKEN"] = "x" }));
        var source = new FileTopologySource(settings.TopologyPath);
        var state = new StateOptions();
        settings.State(state);

        var topology = await source.LoadAsync(CancellationToken.None);

        Assert.True(topology.Contains(state.Node));
    }
}
