using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Contracts;

namespace Skylark.Events.Lab.Cameras;

/// <summary>What <see cref="CameraFeed"/> plays: which cameras, to which broker, how fast and for how long.</summary>
public sealed record CameraFeedOptions
{
    /// <summary>Where the cameras publish, logged in as one user (on a secured broker a camera's user publishes only under its own id).</summary>
    public required MqttConnection Broker { get; init; }

    /// <summary>The camera ids; each publishes on <c>cameras/&lt;id&gt;/frames</c>.</summary>
    public IReadOnlyList<string> Cameras { get; init; } = ["cam-1"];

    public double FramesPerSecond { get; init; } = 1;

    /// <summary>How long the cameras film: frames captured in [0, duration) are published.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Seed of the first camera's scene; the next cameras take the following seeds, so no two film the same.</summary>
    public int Seed { get; init; } = 1;

    public SyntheticSceneOptions Scene { get; init; } = SyntheticSceneOptions.Default;

    /// <summary>Where to read <c>alarms/#</c> (as an operator), or null to publish only.</summary>
    public MqttConnection? Alarms { get; init; }

    /// <summary>
    /// How long to keep listening for alarms after the last frame: the pipeline still works on the frames just sent.
    /// </summary>
    public TimeSpan AlarmLinger { get; init; } = TimeSpan.Zero;

    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Broker);
        if (Cameras.Count == 0)
        {
            throw new ArgumentException("At least one camera is needed.", nameof(Cameras));
        }

        if (Cameras.Distinct(StringComparer.Ordinal).Count() != Cameras.Count)
        {
            throw new ArgumentException($"A camera is named twice in {string.Join(", ", Cameras)}.", nameof(Cameras));
        }

        // The check a camera's MQTT user gets: the id is a topic level and names workflows.
        if (Cameras.FirstOrDefault(c => !StateRef.IsValidSegment(c)) is { } bad)
        {
            throw new ArgumentException($"Camera id '{bad}' must match {StateRef.SegmentPattern}.", nameof(Cameras));
        }

        if (!(FramesPerSecond > 0 && FramesPerSecond <= CameraSimulator.MaxFramesPerSecond))
        {
            throw new ArgumentException($"--fps must be above 0 and at most {CameraSimulator.MaxFramesPerSecond}, not {FramesPerSecond}.", nameof(FramesPerSecond));
        }

        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--duration must be positive, not {Duration}.", nameof(Duration));
        }

        if (AlarmLinger < TimeSpan.Zero)
        {
            throw new ArgumentException("The alarm linger cannot be negative.", nameof(AlarmLinger));
        }
    }
}
