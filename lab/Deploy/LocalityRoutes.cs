using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Deploy;

/// <summary>
/// Locality-aware serving on stock Knative, with Triggers only: a function placed on several nodes runs as one Knative
/// Service per node (<c>&lt;function&gt;-&lt;node&gt;</c>, pinned there), and its pipeline Trigger becomes one Trigger per
/// instance that also filters on the event's <c>statenode</c> extension (where its input state is), plus a fallback
/// for events naming no node of the topology. The cluster decides once per Trigger where each event's state is served,
/// and <c>skylark up</c> runs these same Triggers.
/// </summary>
/// <remarks>
/// A node without an instance sends its events to the instance nearest to it (lowest path latency in the topology's
/// first snapshot; ties go to the earlier node in the file), so every node of the topology is routed by exactly one
/// Trigger. The mapping is static: where snapshots rotate, the first one decides, and an instance further away still
/// gets its input, because a function asks its node's StateSink to pull what is not there yet.
/// The fallback delivers to the first instance: Knative has no Trigger that spreads events over several subscribers.
/// </remarks>
public sealed class LocalityRoutes
{
    private readonly NetworkTopology _topology;
    private readonly PathTable _paths;

    public LocalityRoutes(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology = topology;
        _paths = PathTable.For(topology, topology.Snapshots[0]);
    }

    /// <summary>The Knative Service of <paramref name="function"/> on <paramref name="node"/>.</summary>
    public static string ServiceName(string function, string node) => $"{function}-{node}";

    public static string FallbackName(string trigger) => $"{trigger}-fallback";

    /// <summary>For each node of the topology, the node whose instance of <paramref name="function"/> serves events whose state is there.</summary>
    public IReadOnlyDictionary<string, string> Serving(string function)
    {
        var hosts = _topology.NodesHosting(function).Select(n => n.Name).ToList();
        if (hosts.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return _topology.Nodes.ToDictionary(
            n => n.Name,
            n => hosts.Contains(n.Name)
                ? n.Name
                : hosts.Select((h, order) => (Host: h, Order: order, Latency: _paths.IsReachable(n.Name, h) ? _paths.LatencyMs(n.Name, h) : double.PositiveInfinity))
                    .OrderBy(h => h.Latency).ThenBy(h => h.Order).First().Host,
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The Triggers replacing <paramref name="pipeline"/>, whose subscriber is <paramref name="function"/>: one per
    /// instance, and a fallback when there are several; none when no node hosts the function.
    /// </summary>
    public IReadOnlyList<TriggerResource> For(TriggerResource pipeline, string function)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var hosts = _topology.NodesHosting(function).Select(n => n.Name).ToList();
        switch (hosts.Count)
        {
            case 0:
                return [];
            case 1:
                // One instance takes everything: the pipeline's own filter, nothing about locality.
                return [Route(pipeline, $"{pipeline.Meta.Name}-{hosts[0]}", function, hosts[0], pipeline.FilterAttributes, pipeline.Filters)];
        }

        var serving = Serving(function);
        var routes = new List<TriggerResource>();
        foreach (var host in hosts)
        {
            var nodes = serving.Where(s => s.Value == host).Select(s => s.Key).ToList();
            routes.Add(Route(pipeline, $"{pipeline.Meta.Name}-{host}", function, host, null, [.. PipelineConditions(pipeline), new SubscriptionsApiFilter(Any: StateNodeIn(nodes))]));
        }

        routes.Add(Route(
            pipeline,
            FallbackName(pipeline.Meta.Name),
            function,
            hosts[0],
            null,
            [.. PipelineConditions(pipeline), new SubscriptionsApiFilter(Not: new SubscriptionsApiFilter(Any: StateNodeIn(_topology.Nodes.Select(n => n.Name))))]));
        return routes;
    }

    /// <summary>The pipeline Trigger's own conditions as Subscriptions API filters, which are ANDed with the locality one.</summary>
    private static IEnumerable<SubscriptionsApiFilter> PipelineConditions(TriggerResource pipeline)
    {
        // Knative's exact dialect takes one attribute per expression, so each attribute is a filter of its own.
        foreach (var (name, value) in pipeline.FilterAttributes ?? new Dictionary<string, string>())
        {
            yield return new SubscriptionsApiFilter(Exact: new Dictionary<string, string> { [name] = value });
        }

        foreach (var filter in pipeline.Filters)
        {
            yield return filter;
        }
    }

    private static List<SubscriptionsApiFilter> StateNodeIn(IEnumerable<string> nodes) =>
        [.. nodes.Select(n => new SubscriptionsApiFilter(Exact: new Dictionary<string, string> { [ExtensionNames.StateNode] = n }))];

    private static TriggerResource Route(
        TriggerResource pipeline, string name, string function, string host, IReadOnlyDictionary<string, string>? attributes, IReadOnlyList<SubscriptionsApiFilter> filters)
    {
        var reference = pipeline.Subscriber.Ref!;
        var labels = new Dictionary<string, string>(pipeline.Meta.Labels, StringComparer.Ordinal)
        {
            ["skylark.io/function"] = function,
            ["skylark.io/node"] = host,
        };
        return pipeline with
        {
            Meta = pipeline.Meta with { Name = name, Labels = labels },
            FilterAttributes = attributes,
            Filters = filters,
            Subscriber = pipeline.Subscriber with { Ref = reference with { Name = ServiceName(function, host) } },
        };
    }
}
