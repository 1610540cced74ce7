using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// Restarts what <c>skylark up --processes</c> started when it dies, as a kubelet restarts a pod's container: each
/// death is logged with how the process ended and counted (<c>skylark.up.restarts</c>, by instance). A process that
/// dies again soon after its restart is restarted after a doubling delay (up to 30 s), so one that cannot start does
/// not spin.
/// </summary>
public sealed partial class ProcessSupervisor : IAsyncDisposable
{
    public const string MeterName = "Skylark.Events.Up";

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>A process that ran this long before it died is restarted after <see cref="FirstDelay"/> again.</summary>
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _watches = [];
    private readonly ConcurrentDictionary<string, int> _restarts = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _restartCounter;

    public ProcessSupervisor(TimeProvider time, ILogger<ProcessSupervisor> logger, IMeterFactory? meters = null)
    {
        _time = time;
        _logger = logger;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _restartCounter = _meter.CreateCounter<long>("skylark.up.restarts", "{restart}", "Service and redis-server processes restarted after they died.");
    }

    /// <summary>Restarts of every supervised process so far.</summary>
    public int TotalRestarts => _restarts.Values.Sum();

    /// <summary>Restarts of <paramref name="name"/> so far.</summary>
    public int RestartsOf(string name) => _restarts.GetValueOrDefault(name);

    /// <summary>Watches one process from now on.</summary>
    /// <param name="name">How logs and the counter name it.</param>
    /// <param name="waitForExit">Completes when the process ends.</param>
    /// <param name="describeExit">How it ended (exit code), for the log line.</param>
    /// <param name="restart">Starts it again; may throw, and is then tried again later.</param>
    public void Watch(string name, Func<CancellationToken, Task> waitForExit, Func<string?> describeExit, Func<CancellationToken, Task> restart)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        lock (_watches)
        {
            _watches.Add(Task.Run(() => SuperviseAsync(name, waitForExit, describeExit, restart, _stopping.Token)));
        }
    }

    /// <summary>Stops restarting (the processes themselves are stopped by their owner, after this).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        Task[] watches;
        lock (_watches)
        {
            watches = [.. _watches];
        }

        await Task.WhenAll(watches).ConfigureAwait(false);
        _stopping.Dispose();
        _meter.Dispose();
    }

    private async Task SuperviseAsync(
        string name, Func<CancellationToken, Task> waitForExit, Func<string?> describeExit, Func<CancellationToken, Task> restart, CancellationToken stopping)
    {
        var delay = FirstDelay;
        var startedAt = _time.GetTimestamp();
        try
        {
            while (true)
            {
                await waitForExit(stopping).ConfigureAwait(false);
                stopping.ThrowIfCancellationRequested();
                delay = _time.GetElapsedTime(startedAt) >= StableAfter ? FirstDelay : Next(delay);
                LogDied(name, describeExit() ?? "ended", delay.TotalMilliseconds);
                while (true)
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                    try
                    {
                        await restart(stopping).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception error) when (!stopping.IsCancellationRequested)
                    {
                        delay = Next(delay);
                        LogRestartFailed(name, error.Message, delay.TotalMilliseconds);
                    }
                }

                startedAt = _time.GetTimestamp();
                var count = _restarts.AddOrUpdate(name, 1, (_, n) => n + 1);
                _restartCounter.Add(1, new KeyValuePair<string, object?>("instance", name));
                LogRestarted(name, count);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the owner stops the processes now.
        }
    }

    private static TimeSpan Next(TimeSpan delay) => delay * 2 < MaxDelay ? delay * 2 : MaxDelay;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} {Exit}; restarting it in {DelayMs} ms")]
    private partial void LogDied(string name, string exit, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} is running again (restart {Count})")]
    private partial void LogRestarted(string name, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name} could not be restarted: {Reason}; trying again in {DelayMs} ms")]
    private partial void LogRestartFailed(string name, string reason, double delayMs);
}
