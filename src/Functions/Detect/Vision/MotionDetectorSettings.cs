using System.Text.Json.Serialization;

namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>
/// Per-camera motion-detection configuration (a JSON config bundle). Validated at construction; get-only properties so
/// <c>with</c> cannot produce an unchecked copy.
/// </summary>
public sealed record MotionDetectorSettings
{
    public const int DefaultMaxFrameBytes = 16 * 1024 * 1024;

    public static MotionDetectorSettings Default { get; } = new();

    [JsonConstructor]
    public MotionDetectorSettings(
        double learningRate = 0.05,
        double foregroundLearningRate = 0.002,
        double staticLearningRate = 0.3,
        double staticFraction = 0.02,
        double threshold = 3.0,
        double minVariance = 16.0,
        double initialVariance = 100.0,
        int warmupFrames = 20,
        int minArea = 60,
        int openKernel = 3,
        int closeKernel = 7,
        int maxDetections = 64,
        bool detectPeople = false,
        int maxFrameBytes = DefaultMaxFrameBytes)
    {
        RequireRange(learningRate, 1e-4, 1, nameof(learningRate));
        RequireRange(foregroundLearningRate, 0, 1, nameof(foregroundLearningRate));
        RequireRange(staticLearningRate, 0, 1, nameof(staticLearningRate));
        RequireRange(staticFraction, 0, 1, nameof(staticFraction));
        RequireRange(threshold, 0.5, 20, nameof(threshold));
        RequireRange(minVariance, 0.01, 10_000, nameof(minVariance));
        RequireRange(initialVariance, 0.01, 10_000, nameof(initialVariance));
        RequireRange(warmupFrames, 1, 100_000, nameof(warmupFrames));
        RequireRange(minArea, 1, int.MaxValue, nameof(minArea));
        RequireKernel(openKernel, nameof(openKernel));
        RequireKernel(closeKernel, nameof(closeKernel));
        RequireRange(maxDetections, 1, 10_000, nameof(maxDetections));
        RequireRange(maxFrameBytes, 64, int.MaxValue, nameof(maxFrameBytes));

        LearningRate = learningRate;
        ForegroundLearningRate = foregroundLearningRate;
        StaticLearningRate = staticLearningRate;
        StaticFraction = staticFraction;
        Threshold = threshold;
        MinVariance = minVariance;
        InitialVariance = initialVariance;
        WarmupFrames = warmupFrames;
        MinArea = minArea;
        OpenKernel = openKernel;
        CloseKernel = closeKernel;
        MaxDetections = maxDetections;
        DetectPeople = detectPeople;
        MaxFrameBytes = maxFrameBytes;
    }

    /// <summary>How fast background pixels follow the scene (0–1 per frame); also sets how quickly lighting drift is absorbed.</summary>
    public double LearningRate { get; }

    /// <summary>
    /// How fast foreground pixels are learned. Small, so a passing object is not absorbed, but not zero, so something that
    /// stops (a parked car) eventually becomes background.
    /// </summary>
    public double ForegroundLearningRate { get; }

    /// <summary>
    /// How fast the mean of a static foreground blob (a ghost, or an object that stopped) is learned, so it fades into the
    /// background in a few frames. Its variance keeps learning at <see cref="ForegroundLearningRate"/>.
    /// </summary>
    public double StaticLearningRate { get; }

    /// <summary>A blob is static when fewer than this fraction of its pixels changed since the previous frame.</summary>
    public double StaticFraction { get; }

    /// <summary>k in the k-sigma test: a pixel is foreground when |frame − mean| &gt; k·σ.</summary>
    public double Threshold { get; }

    /// <summary>Variance floor in the test (gray levels²), so sensor and compression noise in a very still pixel is not motion.</summary>
    public double MinVariance { get; }

    /// <summary>Variance a new model starts with, before it has seen any variation.</summary>
    public double InitialVariance { get; }

    /// <summary>Frames a new model only learns from (averaging them) before it reports detections.</summary>
    public int WarmupFrames { get; }

    /// <summary>Smallest number of foreground pixels a detection must contain.</summary>
    public int MinArea { get; }

    /// <summary>Side of the elliptical opening kernel that removes speckle (odd, or 0 for none).</summary>
    public int OpenKernel { get; }

    /// <summary>Side of the elliptical closing kernel that fills holes and joins fragments of one object (odd, or 0 for none).</summary>
    public int CloseKernel { get; }

    /// <summary>At most this many detections per frame (the largest), bounding output on a frame that is all motion.</summary>
    public int MaxDetections { get; }

    /// <summary>Also run OpenCV's HOG people detector (needs people at least 64×128 pixels in the frame).</summary>
    public bool DetectPeople { get; }

    /// <summary>Largest encoded frame accepted, in bytes.</summary>
    public int MaxFrameBytes { get; }

    private static void RequireRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }

    private static void RequireKernel(int value, string name)
    {
        if (value != 0 && (value < 3 || value > 31 || value % 2 == 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be 0 (off) or an odd size from 3 to 31.");
        }
    }
}
