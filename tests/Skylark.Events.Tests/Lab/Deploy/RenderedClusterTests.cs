using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Deploy;

/// <summary>
/// Reading the rendered manifests back (what <c>skylark up</c> runs): the folder <c>render --out</c> writes reads as
/// the set rendered in memory, and each workload's placement is the one its pod spec pins.
/// </summary>
public sealed class RenderedClusterTests
{
    [Theory]
    [MemberData(nameof(ManifestRendererTests.ServingCases), MemberType = typeof(ManifestRendererTests))]
    public async Task The_written_folder_reads_as_the_set_rendered_in_memory(string topology, StateMode mode, ServingPolicy serving)
    {
        using var folder = new ScratchDirectory();
        var manifests = ManifestRendererTests.Render(topology, mode, serving: serving);
        await manifests.WriteAsync(folder.Path);

        var inMemory = RenderedCluster.Of(manifests);
        var written = RenderedCluster.Load(folder.Path);

        // Files are read in name order, so only each deployable's own workloads keep the rendering order.
        Assert.Equal(inMemory.Workloads.OrderBy(w => w.Name, StringComparer.Ordinal), written.Workloads.OrderBy(w => w.Name, StringComparer.Ordinal), WorkloadComparer.Instance);
        Assert.All(inMemory.Workloads.Select(w => w.Deployable).Distinct(), deployable => Assert.Equal(inMemory.NodesOf(deployable), written.NodesOf(deployable)));
        Assert.Equal(
            inMemory.Addressable.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value.Name)),
            written.Addressable.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value.Name)));
        Assert.Equal(Names(inMemory.Eventing.Triggers.Select(t => t.Meta.Name)), Names(written.Eventing.Triggers.Select(t => t.Meta.Name)));
        Assert.Equal(Names(inMemory.Eventing.PingSources.Select(p => p.Meta.Name)), Names(written.Eventing.PingSources.Select(p => p.Meta.Name)));
        Assert.Equal(Names(inMemory.Eventing.EventPolicies.Select(p => p.Meta.Name)), Names(written.Eventing.EventPolicies.Select(p => p.Meta.Name)));
    }

    [Fact]
    public void A_pinned_function_runs_on_its_node_and_a_spread_one_on_every_node_hosting_it()
    {
        var pinned = RenderedCluster.Of(ManifestRendererTests.Render("three-nodes.yaml", StateMode.Skylark));
        var spread = RenderedCluster.Of(ManifestRendererTests.Render("databelt-testbed.yaml", StateMode.Skylark, serving: ServingPolicy.RoundRobin));
        var hosts = Skylark.Events.Topology.TopologyLoader.Load(RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml")).NodesHosting("detect").Select(n => n.Name);

        Assert.Equal(["sat"], pinned.Addressable["detect-sat"].Nodes);
        Assert.Equal("detect", pinned.Addressable["detect-sat"].Deployable);
        Assert.Equal(["sat"], pinned.Addressable["statesink-sat"].Nodes);
        Assert.Empty(pinned.Addressable["predictor"].Nodes);
        Assert.Equal(hosts, spread.Addressable["detect"].Nodes);
        Assert.True(spread.Addressable["detect"].IsKnativeService);
    }

    [Fact]
    public void A_folder_without_manifests_is_refused_with_what_to_do()
    {
        using var empty = new ScratchDirectory();

        var none = Assert.Throws<InvalidDataException>(() => RenderedCluster.Load(empty.Path));
        var missing = Assert.Throws<DirectoryNotFoundException>(() => RenderedCluster.Load(Path.Combine(empty.Path, "nowhere")));

        Assert.Contains("skylark deploy render --out", none.Message, StringComparison.Ordinal);
        Assert.Contains("skylark deploy render --out", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Service_selecting_no_workload_is_refused_naming_it()
    {
        using var folder = new ScratchDirectory();
        await ManifestRendererTests.Render("three-nodes.yaml", StateMode.Skylark).WriteAsync(folder.Path);
        var sinks = Path.Combine(folder.Path, "statesink.yaml");
        var documents = (await File.ReadAllTextAsync(sinks)).Split("---\n").Select(d =>
            d.Contains("kind: Service", StringComparison.Ordinal) && d.Contains("name: statesink-sat", StringComparison.Ordinal)
                ? d.Replace("skylark.io/node: sat", "skylark.io/node: mars", StringComparison.Ordinal)
                : d);
        await File.WriteAllTextAsync(sinks, string.Join("---\n", documents));

        var error = Assert.Throws<InvalidDataException>(() => RenderedCluster.Load(folder.Path));

        Assert.Contains("statesink-sat", error.Message, StringComparison.Ordinal);
    }

    private static List<string> Names(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];

    private sealed class WorkloadComparer : IEqualityComparer<RenderedWorkload>
    {
        public static readonly WorkloadComparer Instance = new();

        public bool Equals(RenderedWorkload? x, RenderedWorkload? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Deployable == y.Deployable && x.IsKnativeService == y.IsKnativeService && x.Nodes.SequenceEqual(y.Nodes);

        public int GetHashCode(RenderedWorkload obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
