using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Up;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Deploy;

/// <summary>
/// The pipeline's Knative resources (eventing/) made concrete for one topology on a cluster: with locality-aware
/// serving the function Triggers become locality routes to per-node instances (with round-robin they stay as written,
/// each subscribing its function's one Knative Service), each node gets its propagate route and its sync ping,
/// references go to the resources that are actually rendered, and the EventPolicies name the rendered senders.
/// </summary>
public static class ClusterEventing
{
    private const string CoreV1 = "v1";
    private const string ServingV1 = "serving.knative.dev/v1";

    /// <summary>The PingSource of eventing/ that syncs the StateSinks; on a cluster one per node.</summary>
    public const string SyncPingSource = "statesink-sync";

    /// <summary>The per-node StateSink's Service (a core Service: the sinks are pinned Deployments, not Knative Services).</summary>
    public static string SinkService(string node) => $"statesink-{node}";

    public static string SyncPingSourceOf(string node) => $"{SyncPingSource}-{node}";

    /// <summary>The dead-letters Service, a core Service in front of a Deployment with a volume.</summary>
    public const string DeadLetters = "dead-letters";

    /// <exception cref="ArgumentException">A pipeline Trigger subscribes a Knative Service that is neither a function nor the predictor.</exception>
    public static EventingModel For(EventingModel pipeline, NetworkTopology topology, StateMode mode, ServingPolicy serving, IReadOnlyCollection<string>? hostedFunctions = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(topology);
        var functions = topology.Nodes.SelectMany(n => n.Functions).ToHashSet(StringComparer.Ordinal);
        var sinks = mode != StateMode.Central;
        var routes = new LocalityRoutes(topology);
        var renamed = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

        var triggers = new List<TriggerResource>();
        foreach (var trigger in pipeline.Triggers)
        {
            var subscriber = trigger.Subscriber.Ref is { Kind: "Service", ApiVersion: ServingV1 } reference ? reference.Name : null;
            if (subscriber == ServiceInstance.Predictor)
            {
                if (mode.Propagates())
                {
                    triggers.Add(trigger);
                }

                continue;
            }

            if (subscriber is null || !functions.Contains(subscriber))
            {
                // A function no node hosts has nothing to subscribe; anything else is not something render deploys.
                if (subscriber is not null && !IsKnownFunction(subscriber) && !(hostedFunctions?.Contains(subscriber) ?? false))
                {
                    throw new ArgumentException($"Trigger '{trigger.Meta.Name}' ({trigger.Origin}) subscribes Service '{subscriber}', which is neither a function of topology '{topology.Name}' nor the predictor.");
                }

                if (subscriber is null)
                {
                    triggers.Add(trigger);
                }

                continue;
            }

            if (serving == ServingPolicy.RoundRobin)
            {
                // The pipeline Trigger already subscribes the Service named after the function, which Knative
                // load-balances over its pods; its name, and so the policies naming it, stay as written.
                triggers.Add(trigger);
                continue;
            }

            var split = routes.For(trigger, subscriber);
            renamed[trigger.Meta.Name] = [.. split.Select(t => t.Meta.Name)];
            triggers.AddRange(split);
        }

        if (mode.Propagates())
        {
            triggers.AddRange(PropagateRoutes(topology));
        }

        var pingSources = new List<PingSourceResource>();
        foreach (var source in pipeline.PingSources)
        {
            if (source.Meta.Name != SyncPingSource)
            {
                pingSources.Add(source);
                continue;
            }

            // One Service load-balances over its pods, so a ping to all sinks is one PingSource per node; the audience
            // stays the one every sink verifies pings against.
            if (sinks)
            {
                pingSources.AddRange(topology.Nodes.Select(n => source with
                {
                    Meta = source.Meta with { Name = SyncPingSourceOf(n.Name) },
                    Sink = source.Sink with { Ref = new KReference("Service", SinkService(n.Name), SkylarkDefaults.Namespace, CoreV1) },
                }));
            }
        }

        renamed[SyncPingSource] = sinks ? [.. topology.Nodes.Select(n => SyncPingSourceOf(n.Name))] : [];
        var brokers = pipeline.Brokers.Select(b => b with
        {
            Delivery = b.Delivery is { DeadLetterSink.Ref: { Name: DeadLetters } dead } delivery
                ? delivery with { DeadLetterSink = delivery.DeadLetterSink with { Ref = dead with { ApiVersion = CoreV1 } } }
                : b.Delivery,
        });
        var policies = pipeline.EventPolicies.Select(p => p with
        {
            From = [.. p.From.SelectMany(sender => Renamed(sender, renamed))],
        });
        return new EventingModel([.. brokers], triggers, pingSources) { EventPolicies = [.. policies] };
    }

    /// <summary>
    /// One Trigger per node routing <c>io.skylark.state.propagate</c> by <c>targetnode</c> to that node's StateSink: the
    /// Predictor names the node, and only that node's sink may pull the bundle into its Redis.
    /// </summary>
    private static IEnumerable<TriggerResource> PropagateRoutes(NetworkTopology topology)
    {
        var origin = new ResourceOrigin("(rendered by skylark deploy render)", 0);
        return topology.Nodes.Select(node => new TriggerResource(
            new ResourceMeta($"propagate-{node.Name}", SkylarkDefaults.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>()),
            SkylarkDefaults.Broker,
            new Dictionary<string, string>
            {
                ["type"] = EventTypes.StatePropagate,
                [ExtensionNames.TargetNode] = node.Name,
            },
            [],
            new Destination(new KReference("Service", SinkService(node.Name), SkylarkDefaults.Namespace, CoreV1), null)
            {
                // A core Service announces no audience, so the Trigger names the one its StateSink verifies.
                Audience = SkylarkAudiences.StateSink(node.Name),
            },
            null,
            origin));
    }

    /// <summary>A policy's sender, or the rendered resources that replace it.</summary>
    private static IEnumerable<EventPolicySender> Renamed(EventPolicySender sender, Dictionary<string, IReadOnlyList<string>> renamed) =>
        sender.Ref is { Kind: "Trigger" or "PingSource" } reference && renamed.TryGetValue(reference.Name, out var names)
            ? names.Select(name => new EventPolicySender(reference with { Name = name }, null))
            : [sender];

    private static bool IsKnownFunction(string name) =>
        CameraPipelineFunctions.All.Any(f => f.Name == name);
}
