namespace Skylark.Events.Lab.Cameras;

/// <summary>What a synthetic camera looks at. Validated at construction; get-only so <c>with</c> cannot bypass it.</summary>
public sealed record SyntheticSceneOptions
{
    public const int MaxObjects = 16;

    public static SyntheticSceneOptions Default { get; } = new();

    public SyntheticSceneOptions(
        int width = 640,
        int height = 480,
        int objectCount = 2,
        double sensorNoise = 2.0,
        double brightnessDrift = 0,
        int driftPeriodFrames = 240,
        double emptyFrameRate = 0.05,
        int jpegQuality = 90,
        bool separateLanes = true)
    {
        RequireRange(width, 64, 4096, nameof(width));
        RequireRange(height, 64, 4096, nameof(height));
        RequireRange(objectCount, 0, MaxObjects, nameof(objectCount));
        RequireRange(sensorNoise, 0, 30, nameof(sensorNoise));
        RequireRange(brightnessDrift, 0, 60, nameof(brightnessDrift));
        RequireRange(driftPeriodFrames, 2, 1_000_000, nameof(driftPeriodFrames));
        RequireRange(emptyFrameRate, 0, 1, nameof(emptyFrameRate));
        RequireRange(jpegQuality, 1, 100, nameof(jpegQuality));
        Width = width;
        Height = height;
        ObjectCount = objectCount;
        SensorNoise = sensorNoise;
        BrightnessDrift = brightnessDrift;
        DriftPeriodFrames = driftPeriodFrames;
        EmptyFrameRate = emptyFrameRate;
        JpegQuality = jpegQuality;
        SeparateLanes = separateLanes;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Number of people-like objects moving through the scene.</summary>
    public int ObjectCount { get; }

    /// <summary>Standard deviation of per-frame Gaussian sensor noise, in gray levels.</summary>
    public double SensorNoise { get; }

    /// <summary>Amplitude of a slow sinusoidal brightness change (gray levels), 0 for none.</summary>
    public double BrightnessDrift { get; }

    /// <summary>Period of the brightness change, in frames.</summary>
    public int DriftPeriodFrames { get; }

    /// <summary>Fraction of frames (chosen deterministically per seed) in which no object is visible.</summary>
    public double EmptyFrameRate { get; }

    public int JpegQuality { get; }

    /// <summary>
    /// Give each object its own horizontal band of the frame, so objects never overlap and every one is separately
    /// detectable (blob detectors merge touching objects, which would blur what a score measures). When false, objects
    /// roam the whole frame and cross each other.
    /// </summary>
    public bool SeparateLanes { get; }

    private static void RequireRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }
}
