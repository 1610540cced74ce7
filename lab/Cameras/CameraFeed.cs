using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Mqtt;

namespace Skylark.Events.Lab.Cameras;

/// <summary>How a feed went: the frames each camera got accepted by the broker, and the alarms that came back.</summary>
public sealed record CameraFeedReport(IReadOnlyDictionary<string, long> FramesPublished, long AlarmsReceived)
{
    public long TotalFrames => FramesPublished.Values.Sum();
}

/// <summary>
/// Simulated cameras feeding a broker (a cluster's mosquitto, or any): each camera films its own
/// <see cref="SyntheticScene"/> and publishes with a <see cref="CameraPublisher"/> for the duration, while an
/// <see cref="AlarmListener"/> reads what the pipeline raises on <c>alarms/#</c>.
/// </summary>
public sealed class CameraFeed
{
    private readonly CameraFeedOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, long> _published = new(StringComparer.Ordinal);
    private AlarmListener? _alarms;

    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CameraFeed(CameraFeedOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        foreach (var camera in options.Cameras)
        {
            _published[camera] = 0;
        }
    }

    /// <summary>Frames accepted by the broker so far, all cameras together.</summary>
    public long FramesPublished => _published.Values.Sum();

    /// <summary>Alarms received so far.</summary>
    public long AlarmsReceived => _alarms?.Received ?? 0;

    /// <summary>
    /// Publishes every camera's frames for the duration, then listens <see cref="CameraFeedOptions.AlarmLinger"/> longer
    /// for alarms. Cancelling stops early and still returns what was done, as a stopped camera would have sent it.
    /// </summary>
    /// <param name="onAlarm">Called with each alarm as it arrives (must not block).</param>
    /// <param name="cancellationToken">Stops the feed (Ctrl-C).</param>
    /// <exception cref="InvalidOperationException">A broker could not be reached, refused the login, or refused a frame or the alarm subscription.</exception>
    public async Task<CameraFeedReport> RunAsync(Action<ReceivedAlarm>? onAlarm = null, CancellationToken cancellationToken = default)
    {
        try
        {
            // Subscribed before the first frame goes out, so no alarm of this feed can be missed.
            if (_options.Alarms is { } alarms)
            {
                try
                {
                    _alarms = await AlarmListener.StartAsync([alarms], cancellationToken, onAlarm).ConfigureAwait(false);
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException error)
                {
                    throw new InvalidOperationException($"Could not connect to MQTT broker {alarms} for alarms: {error.Message}", error);
                }
            }

            try
            {
                await FilmAllAsync(cancellationToken).ConfigureAwait(false);
                if (_alarms is not null && _options.AlarmLinger > TimeSpan.Zero)
                {
                    await Task.Delay(_options.AlarmLinger, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped: what was published and received so far is the report.
            }

            return new CameraFeedReport(new Dictionary<string, long>(_published, StringComparer.Ordinal), AlarmsReceived);
        }
        finally
        {
            if (_alarms is not null)
            {
                await _alarms.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task FilmAllAsync(CancellationToken cancellationToken)
    {
        // One camera refused (wrong user for its id, say) stops the others: a partial feed would pass for a quiet pipeline.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var films = _options.Cameras.Select((camera, i) => FilmAsync(camera, _options.Seed + i, stop)).ToArray();
        try
        {
            await Task.WhenAll(films).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested
            && films.FirstOrDefault(f => f.IsFaulted)?.Exception?.InnerException is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task FilmAsync(string camera, int seed, CancellationTokenSource stop)
    {
        try
        {
            await FilmAsync(camera, seed, stop.Token).ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task FilmAsync(string camera, int seed, CancellationToken cancellationToken)
    {
        var simulator = new CameraSimulator(camera, new SyntheticScene(seed, _options.Scene), _options.FramesPerSecond, _timeProvider);

        // Frame n is captured at n / fps: the frames inside the duration are those below this seq, whatever a slow
        // publish made the camera drop.
        var frames = (long)Math.Ceiling(_options.Duration.TotalSeconds * _options.FramesPerSecond);
        await using var publisher = new CameraPublisher(_options.Broker, $"skylark-cameras-{camera}-{Guid.NewGuid():N}");
        await publisher.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var frame in simulator.StreamAsync(frames, cancellationToken).ConfigureAwait(false))
        {
            if (frame.Seq >= frames)
            {
                break;
            }

            await publisher.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
            _published.AddOrUpdate(camera, 1, (_, n) => n + 1);
        }
    }
}
