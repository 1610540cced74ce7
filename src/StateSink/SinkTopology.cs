using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// The topology this sink currently works with: loaded from an <see cref="ITopologySource"/> on first use and
/// refreshed by every periodic sync. A failed refresh keeps the last good topology.
/// </summary>
public sealed partial class SinkTopology
{
    private readonly ITopologySource _source;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset? _epoch;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile SnapshotSchedule? _schedule;

    public SinkTopology(ITopologySource source, string node, TimeProvider? timeProvider = null, DateTimeOffset? epoch = null, ILogger<SinkTopology>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _source = source;
        Node = node;
        _time = timeProvider ?? TimeProvider.System;
        _epoch = epoch;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>This sink's node.</summary>
    public string Node { get; }

    public string SourceDescription => _source.Description;

    /// <summary>The last topology loaded; null until the first load succeeded.</summary>
    public NetworkTopology? Current => _schedule?.Topology;

    /// <summary>The current topology, loading it first if this is the first use.</summary>
    /// <exception cref="TopologyValidationException">It has never loaded and cannot be loaded now.</exception>
    public async Task<NetworkTopology> GetAsync(CancellationToken cancellationToken)
    {
        if (_schedule is { } schedule)
        {
            return schedule.Topology;
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return _schedule!.Topology;
    }

    /// <summary>Loads the topology again; true when it differs from the one in use.</summary>
    /// <exception cref="TopologyValidationException">It cannot be loaded; the previous topology stays in use.</exception>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var loaded = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
            var previous = _schedule;
            if (previous is not null && previous.Topology.SameAs(loaded))
            {
                return false;
            }

            if (!loaded.Contains(Node))
            {
                LogNodeMissing(Node, loaded.Name, _source.Description);
            }

            _schedule = new SnapshotSchedule(loaded, previous?.Epoch ?? _epoch ?? _time.GetUtcNow());
            LogLoaded(loaded.Name, loaded.Nodes.Count, loaded.Snapshots.Count, _source.Description);
            return true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>The nodes linked directly to this one in the snapshot current now (none before the first load).</summary>
    public IReadOnlyList<string> Neighbours()
    {
        if (_schedule is not { } schedule)
        {
            return [];
        }

        return schedule.At(_time.GetUtcNow()).Links
            .Where(link => link.A == Node || link.B == Node)
            .Select(link => link.Other(Node))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Topology {Topology} loaded from {Source}: {Nodes} nodes, {Snapshots} snapshot(s)")]
    private partial void LogLoaded(string topology, int nodes, int snapshots, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This sink's node {Node} is not in topology {Topology} from {Source}; it has no neighbours")]
    private partial void LogNodeMissing(string node, string topology, string source);
}
