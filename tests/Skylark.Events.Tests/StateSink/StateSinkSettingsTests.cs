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
            "--key-prefix", "skylark-test", "--memory-budget", "67108864", "--topology-epoch", "2026-12-05T10:00:00Z", "--urls", "http://0.0.0.0:8080"],
            new() { ["REDIS_PASSWORD"] = "secret", ["PEER_TOKEN"] = "peer-secret" }));
        var state = new StateOptions();
        var sink = new StateSinkOptions();

        settings.State(state);
        settings.Configure(sink);

        Assert.Equal(("edge-1", "10.0.0.5:6380", "secret", "skylark-test"), (state.Node, state.Configuration, state.Password, state.KeyPrefix));
        Assert.Equal(("peer-secret", "topologies/three-nodes.yaml", 67_108_864L), (sink.PeerToken, sink.TopologyPath, sink.MemoryBudgetBytes));
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), sink.TopologyEpoch);
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
    public void The_bounds_on_waiting_fetches_overall_and_per_sender_are_settings_and_default_to_an_even_split()
    {
        string[] common = ["--node", "edge-1", "--redis", "127.0.0.1:6379", "--topology", "t.yaml"];
        var configured = new StateSinkOptions();
        var defaulted = new StateSinkOptions();

        StateSinkSettings.From(Configuration([.. common, "--max-awaiting-pulls", "64", "--max-awaiting-pulls-per-sender", "8"], new() { ["PEER_TOKEN"] = "x" })).Configure(configured);
        StateSinkSettings.From(Configuration([.. common, "--max-awaiting-pulls", "9"], new() { ["PEER_TOKEN"] = "x" })).Configure(defaulted);

        Assert.Equal((64, 8), (configured.MaxAwaitingPulls, configured.AwaitingPullsPerSender));
        Assert.Equal((9, 5), (defaulted.MaxAwaitingPulls, defaulted.AwaitingPullsPerSender));
        Assert.Equal(128, new StateSinkOptions().AwaitingPullsPerSender);
    }

    [Fact]
    public void A_share_per_sender_larger_than_the_whole_is_refused_as_a_setting_and_as_an_option()
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => StateSinkSettings.From(Configuration(
            ["--node", "edge-1", "--redis", "127.0.0.1:6379", "--topology", "t.yaml", "--max-awaiting-pulls", "4", "--max-awaiting-pulls-per-sender", "5"],
            new() { ["PEER_TOKEN"] = "x" })));
        var options = new StateSinkOptions { PeerToken = "x", TopologyPath = "t.yaml", MaxAwaitingPulls = 4, MaxAwaitingPullsPerSender = 5 };

        Assert.Equal(
            "--max-awaiting-pulls-per-sender (SKYLARK_MAX_AWAITING_PULLS_PER_SENDER) must be at most --max-awaiting-pulls (4): one sender's share cannot exceed the whole; got 5.",
            error.Message);
        Assert.Contains("MaxAwaitingPullsPerSender (5) must be at most MaxAwaitingPulls (4)", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
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
        var source = new FileTopologySource(settings.TopologyPath!);
        var state = new StateOptions();
        settings.State(state);

        var topology = await source.LoadAsync(CancellationToken.None);

        Assert.True(topology.Contains(state.Node));
    }

    [Fact]
    public void With_the_kubernetes_source_the_topology_and_peers_come_from_the_api_named_by_the_kubeconfig()
    {
        using var scratch = new Support.ScratchDirectory();
        var kubeconfig = Topology.FakeKubernetesApi.WriteKubeconfig(scratch.Path, new Uri("http://127.0.0.1:6443/"), token: "t");
        var settings = StateSinkSettings.From(Configuration(
            ["--node", "sat-1", "--redis", "127.0.0.1:6379", "--topology-source", "kubernetes", "--kubeconfig", kubeconfig,
            "--sink-namespace", "edge-system", "--sink-selector", "app.kubernetes.io/name=statesink", "--topology-refresh", "10s"],
            new() { ["PEER_TOKEN"] = "x" }));
        var sink = new StateSinkOptions();

        settings.Configure(sink);

        Assert.Null(sink.TopologyPath);
        Assert.Empty(sink.Sinks);
        var feed = Assert.IsType<Skylark.Events.Topology.KubernetesTopologyFeed>(sink.Kubernetes);
        Assert.Equal(("http://127.0.0.1:6443/", "t"), (feed.Client.Host, feed.Client.AccessToken));
        Assert.Equal(("edge-system", "app.kubernetes.io/name=statesink", true), (feed.Options.SinkNamespace, feed.Options.SinkLabelSelector, feed.Options.ListSinkEndpoints));
        Assert.Equal(TimeSpan.FromSeconds(10), feed.RefreshInterval);
        sink.Validate();
    }

    [Fact]
    public void The_kubernetes_source_defaults_to_the_statesink_pods_of_the_skylark_namespace_every_30_seconds()
    {
        using var scratch = new Support.ScratchDirectory();
        var kubeconfig = Topology.FakeKubernetesApi.WriteKubeconfig(scratch.Path, new Uri("http://127.0.0.1:6443/"));
        var settings = StateSinkSettings.From(Configuration(
            ["--node", "sat-1", "--redis", "127.0.0.1:6379", "--topology-source", "kubernetes", "--kubeconfig", kubeconfig], new() { ["PEER_TOKEN"] = "x" }));

        Assert.Equal(("skylark", "app=statesink", TimeSpan.FromSeconds(30)), (settings.Kubernetes!.Options.SinkNamespace, settings.Kubernetes.Options.SinkLabelSelector, settings.Kubernetes.RefreshInterval));
    }

    [Theory]
    [InlineData("--sink-namespace", "Edge_System", "--sink-namespace (SKYLARK_SINK_NAMESPACE) must be a namespace name (lower-case letters, digits and '-', at most 63 characters); got 'Edge_System'.")]
    [InlineData("--sink-selector", "app=state sink", "--sink-selector (SKYLARK_SINK_SELECTOR) must be a label selector such as app=statesink; 'app=state sink' has 'app=state sink', which is not a requirement (key, !key, key=value, key!=value, key in (a,b), key notin (a,b)).")]
    [InlineData("--sinks", "sat-2=http://10.0.0.7:8080", "--sinks (SKYLARK_SINKS) names peers, but with --topology-source kubernetes they come from the StateSink pods in the API; leave it out.")]
    [InlineData("--topology", "t.yaml", "--topology (SKYLARK_TOPOLOGY) names a file, but --topology-source (SKYLARK_TOPOLOGY_SOURCE) is kubernetes: the topology comes from the Kubernetes API; give one of the two.")]
    public void Kubernetes_settings_that_cannot_be_used_are_refused_with_the_key_and_the_reason(string option, string value, string expected)
    {
        using var scratch = new Support.ScratchDirectory();
        var kubeconfig = Topology.FakeKubernetesApi.WriteKubeconfig(scratch.Path, new Uri("http://127.0.0.1:6443/"));

        var error = Assert.Throws<ServiceConfigurationException>(() => StateSinkSettings.From(Configuration(
            ["--node", "sat-1", "--redis", "127.0.0.1:6379", "--topology-source", "kubernetes", "--kubeconfig", kubeconfig, option, value],
            new() { ["PEER_TOKEN"] = "x" })));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void A_kubeconfig_that_does_not_exist_is_refused_naming_the_file()
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => StateSinkSettings.From(Configuration(
            ["--node", "sat-1", "--redis", "127.0.0.1:6379", "--topology-source", "kubernetes", "--kubeconfig", "/nonexistent/kubeconfig"],
            new() { ["PEER_TOKEN"] = "x" })));

        Assert.Equal("--kubeconfig (SKYLARK_KUBECONFIG) names '/nonexistent/kubeconfig', which cannot be used: no such file.", error.Message);
    }

    [Fact]
    public void Sender_identity_and_the_eventpolicies_of_the_eventing_resources_come_from_the_settings()
    {
        using var scratch = new Support.ScratchDirectory();
        File.WriteAllText(scratch.File("jwks.json"), "{\"keys\":[]}");
        var settings = StateSinkSettings.From(Configuration(
            ["--node", "edge-1", "--redis", "10.0.0.5:6380", "--topology", "topologies/three-nodes.yaml",
            "--eventing", Support.RepositoryPaths.InRoot("eventing"), "--oidc-keys", scratch.File("jwks.json"), "--authorization-mode", "allow-all"],
            new() { ["PEER_TOKEN"] = "peer-secret" }));
        var sink = new StateSinkOptions();

        settings.Configure(sink);

        Assert.Equal(scratch.File("jwks.json"), sink.Verification.KeySetFile);
        Assert.Equal(Skylark.Events.Eventing.Policies.AuthorizationMode.AllowAll, sink.DefaultAuthorization);
        Assert.Contains(sink.Policies, p => p.Meta.Name == "statesink-commands");
    }

    [Fact]
    public void Without_identity_settings_the_sink_verifies_no_one_and_has_no_policies()
    {
        var settings = StateSinkSettings.From(Configuration(
            ["--node", "edge-1", "--redis", "10.0.0.5:6380", "--topology", "topologies/three-nodes.yaml"],
            new() { ["PEER_TOKEN"] = "peer-secret" }));
        var sink = new StateSinkOptions();

        settings.Configure(sink);

        Assert.False(sink.Verification.Enabled);
        Assert.Empty(sink.Policies);
        Assert.Equal(Skylark.Events.Eventing.Policies.AuthorizationMode.AllowSameNamespace, sink.DefaultAuthorization);
    }
}
