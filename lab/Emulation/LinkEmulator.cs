using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// Runs a multi-node topology on one machine: a caller on node <c>from</c> reaches a service of node
/// <c>to</c> through a <see cref="LinkProxy"/> that behaves like the lowest-latency path between the two
/// in the snapshot current at the time of each chunk: the sum of its latencies, and the bandwidth of each
/// physical link it crosses.
/// </summary>
/// <remarks>
/// Every direction of every physical link is one virtual wire shared by all proxies whose current path
/// crosses it, so pairs whose paths share a link split its bandwidth (contention), and the emulator can
/// count the bytes each link carried.
/// </remarks>
public sealed class LinkEmulator : IAsyncDisposable
{
    private readonly TopologyClock _clock;
    private readonly LinkProxyOptions _options;
    private readonly TimeProvider _delays;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string From, string To, IPEndPoint Service, TrafficClass Traffic), (EmulatedRoute Route, LinkProxy Proxy)> _routes = [];
    private readonly Dictionary<(int From, int To), PhysicalLink> _links = [];
    private readonly List<PhysicalLink> _linksInOrder = [];
    private readonly Dictionary<(string From, string To), PathWire> _wires = [];
    private readonly Action<int, TrafficClass> _entered;
    private long _stateBytes;
    private long _controlBytes;
    private bool _disposed;

    // Replaced, never mutated: read per chunk without taking the gate.
    private volatile IReadOnlySet<string> _isolated = new HashSet<string>(StringComparer.Ordinal);
    private volatile IReadOnlyList<PathTable> _currentPaths;

    /// <param name="clock">Decides which snapshot (and so which path conditions) applies.</param>
    /// <param name="options">Proxy buffering and shaping.</param>
    /// <param name="delayTimeProvider">
    /// Times the emulated delays; real time by default. Separate from the clock's provider so a test can
    /// step the snapshot rotation by hand while packets still take real milliseconds.
    /// </param>
    /// <param name="loggerFactory">Logs route creation and proxy problems.</param>
    public LinkEmulator(TopologyClock clock, LinkProxyOptions? options = null, TimeProvider? delayTimeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _options = options ?? new LinkProxyOptions();
        _delays = delayTimeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Paths = PathTable.ForEachSnapshot(clock.Topology);
        _currentPaths = Paths;
        _entered = (bytes, traffic) => Interlocked.Add(ref traffic == TrafficClass.Control ? ref _controlBytes : ref _stateBytes, bytes);

        // A link keeps its wire (and its queue) across snapshots that contain it.
        foreach (var link in clock.Topology.Snapshots.SelectMany(s => s.Links))
        {
            AddPhysicalLink(link.A, link.B);
            AddPhysicalLink(link.B, link.A);
        }
    }

    public NetworkTopology Topology => _clock.Topology;

    /// <summary>Path tables per snapshot, in <see cref="NetworkTopology.Snapshots"/> order.</summary>
    public IReadOnlyList<PathTable> Paths { get; }

    public IReadOnlyList<EmulatedRoute> Routes
    {
        get
        {
            lock (_gate)
            {
                return _routes.Values.Select(r => r.Route).ToList();
            }
        }
    }

    /// <summary>Payload bytes that entered the emulated network: each chunk once, however many links it crossed.</summary>
    public long TotalBytes => StateBytes + ControlBytes;

    /// <summary>The part of <see cref="TotalBytes"/> that was state (<see cref="TrafficClass.State"/>).</summary>
    public long StateBytes => Interlocked.Read(ref _stateBytes);

    /// <summary>The part of <see cref="TotalBytes"/> that was events (<see cref="TrafficClass.Control"/>).</summary>
    public long ControlBytes => Interlocked.Read(ref _controlBytes);

    /// <summary>
    /// Payload bytes carried per direction of every physical link of the topology (links of every snapshot,
    /// in order of first appearance, idle ones with 0). A chunk counts on each link of its path.
    /// </summary>
    public IReadOnlyList<LinkTraffic> TrafficPerLink() => _linksInOrder.ConvertAll(l => l.Traffic());

    /// <summary>
    /// What traffic from one node to another experiences right now; null when no path exists in the current snapshot
    /// with the nodes cut off right now (<see cref="Isolate"/>) taken out.
    /// </summary>
    public LinkConditions? CurrentConditions(string fromNode, string toNode)
    {
        // Called for every chunk on every emulated connection: two array reads, no path objects.
        var paths = _currentPaths[_clock.CurrentIndex];
        return paths.IsReachable(fromNode, toNode)
            ? new LinkConditions(paths.LatencyMs(fromNode, toNode), paths.BottleneckMbps(fromNode, toNode))
            : null;
    }

    /// <summary>The nodes cut off from every other node right now.</summary>
    public IReadOnlySet<string> Isolated => _isolated;

    /// <summary>
    /// Cuts <paramref name="node"/> off from every other node, as a satellite out of range: its links are down until
    /// <see cref="Rejoin"/>, and traffic between other nodes takes the best path that remains. Connections that need
    /// the node stall rather than break (nothing in flight is lost, as on a link that comes back); new ones are
    /// accepted but carry nothing meanwhile.
    /// </summary>
    public void Isolate(string node) => SetIsolated(node, isolated: true);

    /// <summary>Restores <paramref name="node"/>'s links; stalled connections through it carry on where they stopped.</summary>
    public void Rejoin(string node) => SetIsolated(node, isolated: false);

    private void SetIsolated(string node, bool isolated)
    {
        _ = Topology.IndexOf(node);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var nodes = new HashSet<string>(_isolated, StringComparer.Ordinal);
            if (!(isolated ? nodes.Add(node) : nodes.Remove(node)))
            {
                return;
            }

            _isolated = nodes;
            _currentPaths = nodes.Count == 0
                ? Paths
                : Topology.Snapshots
                    .Select(s => PathTable.For(Topology, new TopologySnapshot(s.Name, s.Links.Where(l => !nodes.Contains(l.A) && !nodes.Contains(l.B)))))
                    .ToList();
            foreach (var ((from, to), wire) in _wires)
            {
                wire.Detour(nodes.Count == 0 ? null : PlansFor(_currentPaths, from, to));
            }
        }
    }

    /// <summary>
    /// The endpoint a caller on <paramref name="fromNode"/> uses to reach <paramref name="service"/> hosted
    /// on <paramref name="toNode"/>, its bytes counted as <paramref name="traffic"/>. The same proxy is reused for
    /// the same route and class; a node calling itself gets the service endpoint directly.
    /// </summary>
    public IPEndPoint EndpointFor(string fromNode, string toNode, IPEndPoint service, TrafficClass traffic = TrafficClass.State)
    {
        ArgumentNullException.ThrowIfNull(service);
        _ = Topology.IndexOf(fromNode);
        _ = Topology.IndexOf(toNode);
        if (string.Equals(fromNode, toNode, StringComparison.Ordinal))
        {
            return service;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var key = (fromNode, toNode, service, traffic);
            if (_routes.TryGetValue(key, out var existing))
            {
                return existing.Route.ProxyEndPoint;
            }

            var proxy = LinkProxy.Start(
                service,
                WireFor(fromNode, toNode).As(traffic),
                WireFor(toNode, fromNode).As(traffic),
                _options,
                _delays,
                _loggerFactory.CreateLogger<LinkProxy>());
            var route = new EmulatedRoute(fromNode, toNode, service, proxy.EndPoint, traffic);
            _routes[key] = (route, proxy);
            _loggerFactory.CreateLogger<LinkEmulator>().LogInformation(
                "Emulating {From} -> {To} ({Service}, {Traffic}) at {Proxy}", fromNode, toNode, service, traffic, proxy.EndPoint);
            return route.ProxyEndPoint;
        }
    }

    /// <summary>
    /// <paramref name="service"/> (an http URL on 127.0.0.1) as a caller on <paramref name="fromNode"/> reaches it on
    /// <paramref name="toNode"/>: the same URL through the route's proxy port (<see cref="EndpointFor"/>).
    /// </summary>
    public Uri UrlFor(string fromNode, string toNode, Uri service, TrafficClass traffic)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!IPAddress.TryParse(service.Host, out var address))
        {
            throw new ArgumentException($"Emulated routes need an IP address in the URL, not '{service.Host}'.", nameof(service));
        }

        var proxy = EndpointFor(fromNode, toNode, new IPEndPoint(address, service.Port), traffic);
        return new UriBuilder(service) { Port = proxy.Port }.Uri;
    }

    /// <summary>The shared wire of traffic from one node to another, with its path planned for every snapshot. Caller holds the gate.</summary>
    private PathWire WireFor(string fromNode, string toNode)
    {
        if (_wires.TryGetValue((fromNode, toNode), out var existing))
        {
            return existing;
        }

        var wire = new PathWire(_clock, PlansFor(Paths, fromNode, toNode), _entered);
        if (_isolated.Count > 0)
        {
            wire.Detour(PlansFor(_currentPaths, fromNode, toNode));
        }

        _wires[(fromNode, toNode)] = wire;
        return wire;
    }

    private PathPlan?[] PlansFor(IReadOnlyList<PathTable> paths, string fromNode, string toNode)
    {
        var plans = new PathPlan?[paths.Count];
        for (var snapshot = 0; snapshot < paths.Count; snapshot++)
        {
            plans[snapshot] = Plan(paths[snapshot], fromNode, toNode);
        }

        return plans;
    }

    private PathPlan? Plan(PathTable paths, string fromNode, string toNode)
    {
        if (!paths.TryGetPath(fromNode, toNode, out var path))
        {
            return null;
        }

        var hops = new PathHop[path.Hops];
        for (var i = 0; i < hops.Length; i++)
        {
            var (a, b) = (path.Nodes[i], path.Nodes[i + 1]);
            if (!paths.TryGetDirectLink(a, b, out var link))
            {
                throw new InvalidOperationException($"path {path} crosses {a}–{b}, which is not a link of its snapshot.");
            }

            hops[i] = new PathHop(_links[(Topology.IndexOf(a), Topology.IndexOf(b))], link.BytesPerSecond);
        }

        return new PathPlan(hops, path.Conditions.BytesPerSecond, (long)(path.LatencyMs * _delays.TimestampFrequency / 1000.0));
    }

    private void AddPhysicalLink(string fromNode, string toNode)
    {
        var key = (Topology.IndexOf(fromNode), Topology.IndexOf(toNode));
        if (!_links.ContainsKey(key))
        {
            var link = new PhysicalLink(fromNode, toNode, _delays);
            _links[key] = link;
            _linksInOrder.Add(link);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<LinkProxy> proxies;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            proxies = _routes.Values.Select(r => r.Proxy).ToList();
            _routes.Clear();
        }

        await Task.WhenAll(proxies.Select(p => p.DisposeAsync().AsTask()));
    }
}
