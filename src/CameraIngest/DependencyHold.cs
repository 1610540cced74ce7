using System.Collections.Concurrent;

namespace Skylark.Events.CameraIngest;

/// <summary>What a held message waits for.</summary>
internal enum Dependency
{
    /// <summary>The node's Redis, where frames are stored.</summary>
    Redis,

    /// <summary>The sink (<c>K_SINK</c>), which takes the events.</summary>
    Sink,

    /// <summary>The dead-letters service, which keeps what the bridge rejects.</summary>
    DeadLetterSink,
}

/// <summary>
/// Runs one step of a message (store its frame, send its event, store its dead letter) until it succeeds, waiting
/// between attempts with a delay that doubles up to <see cref="CameraIngestOptions.MaxRetryDelay"/>. The message stays
/// unacknowledged meanwhile, so an outage of a dependency delays frames instead of losing them: the MQTT broker keeps
/// them (and, once the bridge's receive maximum is reached, sends no more) until the dependency is back.
/// </summary>
/// <remarks>Remembers which dependencies failed their last attempt, so readiness can say why frames are not taken.</remarks>
internal sealed partial class DependencyHold(CameraIngestOptions options, CameraIngestMetrics metrics, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<Dependency, string> _failing = new();

    /// <summary>The dependencies whose last attempt failed, with why.</summary>
    public IReadOnlyDictionary<Dependency, string> Failing => new Dictionary<Dependency, string>(_failing);

    /// <param name="dependency">What the step needs; named in logs, metrics and readiness.</param>
    /// <param name="topic">The message's topic, for logs.</param>
    /// <param name="attempt">One try: null when it succeeded, otherwise why it failed in a way a later try may not.
    /// A failure no retry can mend is thrown instead, and ends the hold.</param>
    /// <param name="cancellationToken">Stopping: the message is left unacknowledged for the broker to deliver again.</param>
    public async Task RunAsync(Dependency dependency, string topic, Func<CancellationToken, Task<string?>> attempt, CancellationToken cancellationToken)
    {
        var delay = options.SinkBackoff < MinRetryDelay ? MinRetryDelay : options.SinkBackoff;
        delay = delay > options.MaxRetryDelay ? options.MaxRetryDelay : delay;
        for (var attempts = 1; ; attempts++)
        {
            string? failure;
            try
            {
                failure = await attempt(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // A refusal no retry can mend: the dependency answered, so it is not down.
                _failing.TryRemove(dependency, out _);
                throw;
            }

            if (failure is null)
            {
                if (_failing.TryRemove(dependency, out _))
                {
                    LogRecovered(logger, dependency);
                }

                return;
            }

            _failing[dependency] = failure;
            metrics.RecordHeld(dependency);
            LogHeld(logger, topic, dependency, failure, attempts, delay);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Holding a message on {Topic} unacknowledged: {Dependency} failed attempt {Attempt} ({Reason}); trying again in {Delay}")]
    private static partial void LogHeld(ILogger logger, string topic, Dependency dependency, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Dependency} is back; held messages go on")]
    private static partial void LogRecovered(ILogger logger, Dependency dependency);
}
