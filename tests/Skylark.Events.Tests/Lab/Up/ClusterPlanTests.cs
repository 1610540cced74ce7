using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Lab.Deploy;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Up;

/// <summary>
/// What <c>skylark up</c> runs comes from the rendered manifests: every instance is a rendered workload on its node,
/// and every subscriber the broker delivers to is a rendered Service reaching at least one instance.
/// </summary>
public sealed class ClusterPlanTests
{
    private static UpOptions Options(string topology, StateMode mode, ServingPolicy serving, string work) => new()
    {
        TopologyPath = RepositoryPaths.InRoot("topologies", topology),
        EventingPath = RepositoryPaths.InRoot("eventing"),
        Mode = mode,
        Serving = serving,
        WorkDirectory = work,
    };

    [Theory]
    [MemberData(nameof(ManifestRendererTests.ServingCases), MemberType = typeof(ManifestRendererTests))]
    public void Every_subscriber_and_sink_the_broker_delivers_to_reaches_a_running_instance(string topology, StateMode mode, ServingPolicy serving)
    {
        using var work = new ScratchDirectory();
        var plan = ClusterPlan.Create(Options(topology, mode, serving, work.Path), NullLoggerFactory.Instance);

        var referenced = plan.BrokerModel.Triggers.Select(t => t.Subscriber)
            .Concat(plan.BrokerModel.PingSources.Select(p => p.Sink))
            .Concat(plan.BrokerModel.Brokers.Select(b => b.Delivery?.DeadLetterSink).OfType<Destination>())
            .Select(d => d.Ref?.Name)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.True(plan.Routes.TryGetValue(name, out var instances) && instances.Count > 0, $"'{name}' reaches no instance"));
        Assert.All(plan.Routes.Values.SelectMany(i => i), instance => Assert.Contains(instance, plan.Instances));
    }

    [Fact]
    public void Each_instance_is_a_rendered_workload_on_its_node()
    {
        using var work = new ScratchDirectory();
        var options = Options("databelt-testbed.yaml", StateMode.Skylark, ServingPolicy.RoundRobin, work.Path);
        var rendered = RenderedCluster.Of(ManifestRenderer.Render(new DeployOptions(options.TopologyPath) { EventingPath = options.EventingPath, Serving = ServingPolicy.RoundRobin }));

        var plan = ClusterPlan.Create(options, NullLoggerFactory.Instance);

        var expected = rendered.Workloads
            .Where(w => w.Deployable is not ("redis" or "mosquitto" or ServiceInstance.CameraIngest))
            .SelectMany(w => w.Nodes.Count == 0 ? [(w.Deployable, plan.ControlNode)] : w.Nodes.Select(n => (w.Deployable, n)))
            .Append((ServiceInstance.Broker, plan.ControlNode))
            .Order()
            .ToList();
        Assert.Equal(expected, plan.Instances.Select(i => (i.Deployable, i.Node)).Order().ToList());
        Assert.Equal(rendered.NodesOf("redis"), plan.StoreNodes);
        Assert.Equal(rendered.Addressable["detect"].Nodes, plan.Routes["detect"].Select(i => i.Node));
    }

    [Fact]
    public async Task A_function_removed_from_the_manifests_does_not_run_and_its_route_is_gone()
    {
        using var work = new ScratchDirectory();
        var folder = Path.Combine(work.Path, "manifests");
        var options = Options("three-nodes.yaml", StateMode.Skylark, ServingPolicy.LocalityAware, work.Path) with { ManifestsPath = folder };
        await ManifestRenderer.Render(new DeployOptions(options.TopologyPath) { EventingPath = options.EventingPath }).WriteAsync(folder);
        var functions = Path.Combine(folder, "functions.yaml");
        var kept = (await File.ReadAllTextAsync(functions)).Split("---\n").Where(d => !d.Contains("name: alarm-", StringComparison.Ordinal));
        await File.WriteAllTextAsync(functions, string.Join("---\n", kept));

        var plan = ClusterPlan.Create(options, NullLoggerFactory.Instance);

        Assert.DoesNotContain(plan.Instances, i => i.Deployable == "alarm");
        Assert.Contains(plan.Instances, i => i.Deployable == "detect");
        Assert.DoesNotContain(plan.Routes.Keys, name => name.StartsWith("alarm-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Manifests_rendered_for_another_mode_are_refused_naming_the_mode_to_render()
    {
        using var work = new ScratchDirectory();
        var folder = Path.Combine(work.Path, "manifests");
        var options = Options("three-nodes.yaml", StateMode.Skylark, ServingPolicy.LocalityAware, work.Path) with { ManifestsPath = folder };
        await ManifestRenderer.Render(new DeployOptions(options.TopologyPath) { EventingPath = options.EventingPath, Mode = StateMode.Central }).WriteAsync(folder);

        var error = Assert.Throws<ArgumentException>(() => ClusterPlan.Create(options, NullLoggerFactory.Instance));

        Assert.Contains("--mode skylark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifests_of_another_topology_are_refused_naming_the_strange_nodes()
    {
        using var work = new ScratchDirectory();
        var folder = Path.Combine(work.Path, "manifests");
        await ManifestRenderer.Render(new DeployOptions(RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml")) { EventingPath = RepositoryPaths.InRoot("eventing") }).WriteAsync(folder);
        var options = Options("three-nodes.yaml", StateMode.Skylark, ServingPolicy.LocalityAware, work.Path) with { ManifestsPath = folder };

        var error = Assert.Throws<ArgumentException>(() => ClusterPlan.Create(options, NullLoggerFactory.Instance));

        Assert.Contains("does not have", error.Message, StringComparison.Ordinal);
    }
}
