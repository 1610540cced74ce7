using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Skylark.Events.Lab.Cameras;

/// <summary>
/// A camera that renders a <see cref="SyntheticScene"/> at a fixed frame rate, paced by a <see cref="TimeProvider"/>.
/// Frame <c>n</c> is captured at start + n / fps. Like a real camera it does not queue: if the consumer falls a whole
/// frame period behind, the frames it missed are dropped and <see cref="SimulatedFrame.Seq"/> skips ahead.
/// </summary>
public sealed partial class CameraSimulator
{
    public const double MaxFramesPerSecond = 1000;

    private readonly TimeProvider timeProvider;

    public CameraSimulator(string camera, SyntheticScene scene, double framesPerSecond, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentNullException.ThrowIfNull(scene);
        if (!CameraId().IsMatch(camera))
        {
            throw new ArgumentException(
                $"Camera id '{camera}' must be 1-128 characters of [A-Za-z0-9._-], not starting with a dot (it becomes part of StateRefs and URLs).",
                nameof(camera));
        }

        if (!(framesPerSecond > 0 && framesPerSecond <= MaxFramesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(framesPerSecond), framesPerSecond, $"Frame rate must be above 0 and at most {MaxFramesPerSecond}.");
        }

        Camera = camera;
        Scene = scene;
        FramesPerSecond = framesPerSecond;
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Camera { get; }

    public SyntheticScene Scene { get; }

    public double FramesPerSecond { get; }

    public TimeSpan FramePeriod => TimeSpan.FromSeconds(1 / FramesPerSecond);

    /// <summary>
    /// Yields frames as they are captured, the first immediately, until <paramref name="maxFrames"/> have been yielded
    /// or <paramref name="cancellationToken"/> is cancelled (which ends the stream with an OperationCanceledException).
    /// </summary>
    public async IAsyncEnumerable<SimulatedFrame> StreamAsync(
        long maxFrames = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrames);
        var start = timeProvider.GetUtcNow();
        var period = FramePeriod;
        long seq = 0;
        for (long yielded = 0; yielded < maxFrames; yielded++)
        {
            var due = start + (period * seq);
            var wait = due - timeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var (jpeg, truth) = Scene.RenderFrame(seq);
            yield return new SimulatedFrame(Camera, seq, due, Scene.Width, Scene.Height, jpeg, truth);

            // The consumer had the frame until now; anything whose capture time has passed by more than a period is gone.
            var latest = (long)Math.Floor((timeProvider.GetUtcNow() - start) / period);
            seq = Math.Max(seq + 1, latest);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex CameraId();
}
