using System.Text.Json.Serialization;

namespace Skylark.Events.Functions.Preprocess.Imaging;

/// <summary>
/// Per-camera preprocess configuration, stored as a config bundle (JSON, camelCase via ContractJson).
/// Every value is checked here, so a bad bundle fails when it is loaded rather than on the first frame.
/// Properties are get-only so <c>with</c> cannot produce an unchecked copy.
/// </summary>
public sealed record PreprocessSettings
{
    public const int DefaultMaxInputBytes = 16 * 1024 * 1024;
    public const int DefaultMaxInputDimension = 4096;

    /// <summary>Largest target side: keeps a single preprocessed frame (and the detect model built on it) bounded.</summary>
    public const int MaxTargetDimension = 4096;

    /// <summary>Largest input side we will ever accept, whatever the settings say (decoding allocates width × height × 3).</summary>
    public const int AbsoluteMaxInputDimension = 16384;

    public static PreprocessSettings Default { get; } = new();

    [JsonConstructor]
    public PreprocessSettings(
        int targetWidth = 320,
        int targetHeight = 240,
        int denoiseKernel = 3,
        FrameEncoding output = FrameEncoding.Png,
        int jpegQuality = 90,
        int maxInputBytes = DefaultMaxInputBytes,
        int maxInputDimension = DefaultMaxInputDimension)
    {
        RequireRange(targetWidth, 1, MaxTargetDimension, nameof(targetWidth));
        RequireRange(targetHeight, 1, MaxTargetDimension, nameof(targetHeight));
        if (denoiseKernel != 0 && (denoiseKernel < 3 || denoiseKernel > 31 || denoiseKernel % 2 == 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(denoiseKernel), denoiseKernel, "denoiseKernel must be 0 (off) or an odd size from 3 to 31.");
        }

        if (!Enum.IsDefined(output))
        {
            throw new ArgumentOutOfRangeException(nameof(output), output, "output must be Png or Jpeg.");
        }

        RequireRange(jpegQuality, 1, 100, nameof(jpegQuality));
        RequireRange(maxInputBytes, 64, int.MaxValue, nameof(maxInputBytes));
        RequireRange(maxInputDimension, 1, AbsoluteMaxInputDimension, nameof(maxInputDimension));

        TargetWidth = targetWidth;
        TargetHeight = targetHeight;
        DenoiseKernel = denoiseKernel;
        Output = output;
        JpegQuality = jpegQuality;
        MaxInputBytes = maxInputBytes;
        MaxInputDimension = maxInputDimension;
    }

    /// <summary>Width of the preprocessed frame in pixels.</summary>
    public int TargetWidth { get; }

    /// <summary>Height of the preprocessed frame in pixels.</summary>
    public int TargetHeight { get; }

    /// <summary>Gaussian blur kernel side (odd, 3–31), or 0 for no denoising.</summary>
    public int DenoiseKernel { get; }

    /// <summary>Encoding of the preprocessed frame.</summary>
    public FrameEncoding Output { get; }

    /// <summary>JPEG quality (1–100); only used when <see cref="Output"/> is JPEG.</summary>
    public int JpegQuality { get; }

    /// <summary>Largest encoded input accepted, in bytes.</summary>
    public int MaxInputBytes { get; }

    /// <summary>Largest input width or height accepted, checked from the header before decoding.</summary>
    public int MaxInputDimension { get; }

    private static void RequireRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
    }
}
