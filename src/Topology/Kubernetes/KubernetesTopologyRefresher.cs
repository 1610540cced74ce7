using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skylark.Events.Topology;

/// <summary>
/// Keeps a service's view of the cluster current: loads the topology and StateSink endpoints from the Kubernetes API
/// (<see cref="KubernetesTopologySource"/>) now and every <see cref="KubernetesTopologyFeed.RefreshInterval"/>, and
/// hands each load that differs from the last to the service. A failed load is logged and changes nothing: the last
/// good view stays in use, so an API server restart or a bad annotation does not take the deployment's topology away.
/// </summary>
public sealed partial class KubernetesTopologyRefresher : IDisposable
{
    /// <summary>The first retry after a failed load while no topology has loaded yet; doubled up to the interval.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly KubernetesTopologySource _source;
    private readonly bool _ownsSource;
    private readonly TimeSpan _interval;
    private readonly Func<KubernetesTopology, CancellationToken, Task>? _changed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile KubernetesTopology? _current;
    private volatile string? _lastError;
    private long _loads;
    private long _failures;

    /// <param name="source">Where to read; log-free is best, since this class reports loads, warnings and failures itself.</param>
    /// <param name="interval">Time between loads once one has succeeded.</param>
    /// <param name="changed">Called with every load that differs from the current one, before <see cref="RefreshAsync"/> returns.
    /// It runs after <see cref="Current"/> is updated, so what it reads through this refresher is the new view. It may
    /// throw <see cref="TopologyValidationException"/> to refuse the view: the previous one is restored.</param>
    /// <param name="timeProvider">The clock of the waits between loads.</param>
    /// <param name="logger">Where loads, new warnings and failures are reported.</param>
    /// <param name="ownsSource">Dispose <paramref name="source"/> with this refresher.</param>
    public KubernetesTopologyRefresher(
        KubernetesTopologySource source,
        TimeSpan interval,
        Func<KubernetesTopology, CancellationToken, Task>? changed = null,
        TimeProvider? timeProvider = null,
        ILogger<KubernetesTopologyRefresher>? logger = null,
        bool ownsSource = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _source = source;
        _ownsSource = ownsSource;
        _interval = interval;
        _changed = changed;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>A refresher with its own client and source for <paramref name="feed"/>.</summary>
    public static KubernetesTopologyRefresher Create(
        KubernetesTopologyFeed feed,
        Func<KubernetesTopology, CancellationToken, Task>? changed = null,
        TimeProvider? timeProvider = null,
        ILogger<KubernetesTopologyRefresher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var source = KubernetesTopologySource.Create(feed.Client, feed.Options, logger: null, timeProvider);
        return new KubernetesTopologyRefresher(source, feed.RefreshInterval, changed, timeProvider, logger, ownsSource: true);
    }

    /// <summary>Where the topology comes from: <c>Kubernetes API &lt;url&gt;</c>.</summary>
    public string Description => _source.Description;

    /// <summary>The last good view; null until a load has succeeded.</summary>
    public KubernetesTopology? Current => _current;

    /// <summary>Why the latest load failed; null once a load has succeeded after it.</summary>
    public string? LastError => _lastError;

    /// <summary>Loads tried, successful or not.</summary>
    public long Loads => Interlocked.Read(ref _loads);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Why there is no topology yet, for a readiness check; null once one has loaded.</summary>
    public string? NotLoadedReason => _current is not null
        ? null
        : _lastError is { } error
            ? $"no topology has loaded from the {Description} yet: {error}"
            : $"no topology has loaded from the {Description} yet";

    /// <summary>Loads the view now; true when it differs from the current one (which it then replaces).</summary>
    /// <exception cref="KubernetesTopologyException">The API could not be read; the current view stays.</exception>
    /// <exception cref="TopologyValidationException">The cluster declares an invalid topology; the current view stays.</exception>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _loads);
            KubernetesTopology loaded;
            try
            {
                loaded = await _source.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is KubernetesTopologyException or TopologyValidationException)
            {
                Interlocked.Increment(ref _failures);
                _lastError = error.Message;
                if (_current is { } kept)
                {
                    LogFailedKeeping(Description, kept.Topology.Nodes.Count, error.Message);
                }
                else
                {
                    LogFailedNothingYet(Description, error.Message);
                }

                throw;
            }

            _lastError = null;
            var previous = _current;
            if (previous is not null && Same(previous, loaded))
            {
                return false;
            }

            _current = loaded;
            if (_changed is not null)
            {
                try
                {
                    await _changed(loaded, cancellationToken).ConfigureAwait(false);
                }
                catch (TopologyValidationException error)
                {
                    // The service cannot use this view (e.g. it lacks a node the service was configured with): keep
                    // the previous one, so the next load offers it again instead of finding it "unchanged".
                    _current = previous;
                    Interlocked.Increment(ref _failures);
                    _lastError = error.Message;
                    LogRefused(Description, error.Message);
                    throw;
                }
            }

            // Warnings repeat on every load while the cluster stays as it is; say them when they are new.
            foreach (var warning in loaded.Warnings.Except(previous?.Warnings ?? [], StringComparer.Ordinal))
            {
                LogWarning(warning);
            }

            LogChanged(Description, loaded.Topology.Nodes.Count, loaded.Topology.Links.Count, loaded.SinkEndpoints.Count, previous is null ? "loaded" : "changed");
            return true;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Loads now and then every interval until <paramref name="stoppingToken"/> is cancelled; never throws for a failed
    /// load. While nothing has loaded, retries start after <see cref="FirstRetry"/> and double up to the interval, so a
    /// service whose API server is briefly away at start becomes ready soon after it is back.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
                wait = _interval;
            }
            catch (Exception error) when (error is KubernetesTopologyException or TopologyValidationException)
            {
                // Logged by RefreshAsync, with what stays in use.
                wait = _current is null ? Min(retry, _interval) : _interval;
                retry = Min(retry * 2, _interval);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        if (_ownsSource)
        {
            _source.Dispose();
        }

        _loading.Dispose();
    }

    private static bool Same(KubernetesTopology a, KubernetesTopology b) =>
        a.Topology.SameAs(b.Topology)
        && a.SinkEndpoints.Count == b.SinkEndpoints.Count
        && a.SinkEndpoints.All(pair => b.SinkEndpoints.TryGetValue(pair.Key, out var url) && url == pair.Value);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Topology {Change} from the {Source}: {Nodes} node(s), {Links} link(s), {Sinks} StateSink endpoint(s)")]
    private partial void LogChanged(string source, int nodes, int links, int sinks, string change);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "Could not refresh the topology from the {Source}; keeping the last good one ({Nodes} node(s)): {Error}")]
    private partial void LogFailedKeeping(string source, int nodes, string error);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "Could not load the topology from the {Source}; none is in use yet: {Error}")]
    private partial void LogFailedNothingYet(string source, string error);

    [LoggerMessage(EventId = 4115, Level = LogLevel.Warning, Message = "The topology from the {Source} cannot be used; keeping the previous one: {Error}")]
    private partial void LogRefused(string source, string error);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Warning, Message = "Kubernetes topology: {Warning}")]
    private partial void LogWarning(string warning);
}
