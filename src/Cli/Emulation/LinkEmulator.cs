using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Topology;

namespace Skylark.Events.Cli.Emulation;

/// <summary>
/// Runs a multi-node topology on one machine: a caller on node <c>from</c> reaches a service of node
/// <c>to</c> through a <see cref="LinkProxy"/> that behaves like the lowest-latency path between the two
/// (sum of latencies, bottleneck bandwidth) in the snapshot current at the time of each chunk.
/// </summary>
public sealed class LinkEmulator : IAsyncDisposable
{
    private readonly TopologyClock _clock;
    private readonly LinkProxyOptions _options;
    private readonly TimeProvider _delays;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string From, string To, IPEndPoint Service), (EmulatedRoute Route, LinkProxy Proxy)> _routes = [];
    private bool _disposed;

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

    /// <summary>What traffic from one node to another experiences right now; null when no path exists in the current snapshot.</summary>
    public LinkConditions? CurrentConditions(string fromNode, string toNode)
    {
        // Called for every chunk on every emulated connection: two array reads, no path objects.
        var paths = Paths[_clock.CurrentIndex];
        return paths.IsReachable(fromNode, toNode)
            ? new LinkConditions(paths.LatencyMs(fromNode, toNode), paths.BottleneckMbps(fromNode, toNode))
            : null;
    }

    /// <summary>
    /// The endpoint a caller on <paramref name="fromNode"/> uses to reach <paramref name="service"/> hosted
    /// on <paramref name="toNode"/>. The same proxy is reused for the same triple; a node calling itself gets
    /// the service endpoint directly.
    /// </summary>
    public IPEndPoint EndpointFor(string fromNode, string toNode, IPEndPoint service)
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
            var key = (fromNode, toNode, service);
            if (_routes.TryGetValue(key, out var existing))
            {
                return existing.Route.ProxyEndPoint;
            }

            var proxy = LinkProxy.Start(
                service,
                () => CurrentConditions(fromNode, toNode),
                _options,
                _delays,
                _loggerFactory.CreateLogger<LinkProxy>());
            var route = new EmulatedRoute(fromNode, toNode, service, proxy.EndPoint);
            _routes[key] = (route, proxy);
            _loggerFactory.CreateLogger<LinkEmulator>().LogInformation(
                "Emulating {From} -> {To} ({Service}) at {Proxy}", fromNode, toNode, service, proxy.EndPoint);
            return route.ProxyEndPoint;
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
