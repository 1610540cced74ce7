using Skylark.Events.Hosting;

namespace Skylark.Events.Tests.Hosting;

public sealed class TopologySourceSettingsTests
{
    private static readonly Setting SinkNamespace = new("sink-namespace", "A service's own Kubernetes-only setting.");

    private static (TopologySourceSettings Source, string[] Problems) Read(string[] args, bool fileRequired = true, Dictionary<string, string?>? environment = null)
    {
        var settings = new ServiceConfiguration(new ConfigurationBuilder().AddInMemoryCollection(environment ?? []).AddCommandLine(args).Build());
        var source = TopologySourceSettings.Read(settings, fileRequired, SinkNamespace);
        return (source, [.. settings.Problems.Select(p => p.ToString())]);
    }

    [Fact]
    public void The_default_source_is_the_topology_file()
    {
        var (source, problems) = Read(["--topology", "topologies/three-nodes.yaml"]);

        Assert.Equal(new TopologySourceSettings("topologies/three-nodes.yaml", false, null, TopologySourceSettings.DefaultRefresh), source);
        Assert.Empty(problems);
        Assert.Equal(["--topology (SKYLARK_TOPOLOGY) is required."], Read([]).Problems);
        Assert.Empty(Read([], fileRequired: false).Problems);
    }

    [Fact]
    public void The_kubernetes_source_needs_no_file_and_reads_its_kubeconfig_and_refresh_interval()
    {
        // What AddEnvironmentVariables("SKYLARK_") makes of SKYLARK_TOPOLOGY_SOURCE and SKYLARK_KUBECONFIG.
        var (source, problems) = Read(["--topology-refresh", "2m"], environment: new() { ["TOPOLOGY_SOURCE"] = "Kubernetes", ["KUBECONFIG"] = "/etc/skylark/kubeconfig" });
        var (inCluster, _) = Read(["--topology-source", "kubernetes"]);

        Assert.Empty(problems);
        Assert.Equal(new TopologySourceSettings(null, true, "/etc/skylark/kubeconfig", TimeSpan.FromMinutes(2)), source);
        Assert.Equal(new TopologySourceSettings(null, true, null, TimeSpan.FromSeconds(30)), inCluster);
    }

    [Fact]
    public void The_epoch_every_reader_of_the_file_counts_snapshots_from_is_an_iso_time_with_its_offset()
    {
        var (utc, _) = Read(["--topology", "t.yaml", "--topology-epoch", "2026-12-05T10:00:00Z"]);
        var (offset, _) = Read(["--topology", "t.yaml"], environment: new() { ["TOPOLOGY_EPOCH"] = "2026-12-05T11:00:00.250+01:00" });

        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), utc.Epoch);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 0, 250, TimeSpan.Zero), offset.Epoch);
        Assert.Null(Read(["--topology", "t.yaml"]).Source.Epoch);
    }

    [Theory]
    [InlineData(new[] { "--topology", "t.yaml", "--topology-epoch", "2026-12-05T10:00:00" }, "--topology-epoch (SKYLARK_TOPOLOGY_EPOCH) must be an ISO 8601 time with its offset, such as 2026-12-05T10:00:00Z; got '2026-12-05T10:00:00'.")]
    [InlineData(new[] { "--topology", "t.yaml", "--topology-epoch", "yesterday" }, "--topology-epoch (SKYLARK_TOPOLOGY_EPOCH) must be an ISO 8601 time with its offset, such as 2026-12-05T10:00:00Z; got 'yesterday'.")]
    [InlineData(new[] { "--topology-source", "kubernetes", "--topology-epoch", "2026-12-05T10:00:00Z" }, "--topology-epoch (SKYLARK_TOPOLOGY_EPOCH) is read only with --topology-source file: the Kubernetes API's topology has no snapshot schedule.")]
    [InlineData(new[] { "--topology-source", "k8s" }, "--topology-source (SKYLARK_TOPOLOGY_SOURCE) must be one of file, kubernetes; got 'k8s'.")]
    [InlineData(new[] { "--topology-source", "kubernetes", "--topology", "t.yaml" }, "--topology (SKYLARK_TOPOLOGY) names a file, but --topology-source (SKYLARK_TOPOLOGY_SOURCE) is kubernetes: the topology comes from the Kubernetes API; give one of the two.")]
    [InlineData(new[] { "--topology-source", "kubernetes", "--topology-refresh", "500ms" }, "--topology-refresh (SKYLARK_TOPOLOGY_REFRESH) must be a duration such as 500ms, 30s or 5m, from 1s to 1h; got '500ms'.")]
    [InlineData(new[] { "--topology", "t.yaml", "--topology-refresh", "10s" }, "--topology-refresh (SKYLARK_TOPOLOGY_REFRESH) is read only with --topology-source kubernetes (the source here is file).")]
    [InlineData(new[] { "--topology", "t.yaml", "--sink-namespace", "skylark" }, "--sink-namespace (SKYLARK_SINK_NAMESPACE) is read only with --topology-source kubernetes (the source here is file).")]
    public void A_bad_or_contradictory_value_is_one_problem_naming_the_key(string[] args, string expected) =>
        Assert.Equal([expected], Read(args).Problems);

    [Fact]
    public void A_kubeconfig_exported_for_kubectl_does_not_stop_a_service_that_reads_a_file()
    {
        // KUBECONFIG, unprefixed, is what a shell that uses kubectl exports; every service reads unprefixed variables too.
        var (source, problems) = Read(["--topology", "t.yaml"], environment: new() { ["KUBECONFIG"] = "/home/me/.kube/config" });

        Assert.Empty(problems);
        Assert.False(source.FromKubernetes);
    }

    [Fact]
    public void A_client_that_cannot_be_made_is_a_problem_of_the_kubeconfig_setting()
    {
        var settings = new ServiceConfiguration(new ConfigurationBuilder().Build());
        var inCluster = new TopologySourceSettings(null, true, null, TopologySourceSettings.DefaultRefresh);
        var fromFile = inCluster with { Kubeconfig = "/etc/kubeconfig" };

        inCluster.KubeconfigProblem(settings, "this process is not in a Kubernetes pod");
        fromFile.KubeconfigProblem(settings, "no such file");

        Assert.Equal(
            [
                "--kubeconfig (SKYLARK_KUBECONFIG) is required with --topology-source kubernetes outside a cluster: this process is not in a Kubernetes pod.",
                "--kubeconfig (SKYLARK_KUBECONFIG) names '/etc/kubeconfig', which cannot be used: no such file.",
            ],
            settings.Problems.Select(p => p.ToString()));
    }
}
