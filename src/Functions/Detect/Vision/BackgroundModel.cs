using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>
/// Per-pixel Gaussian background of one camera: a mean and a variance per pixel, the last frame (to tell moving blobs
/// from static ones), and how many frames it has learned.
/// It is the detect function's bundled state, read and written every frame, so its in-memory form IS its stored form:
/// mean as unsigned 8.8 fixed point (1/256 gray level), variance as IEEE half. Every update is quantized to that form,
/// which makes <see cref="ToBytes"/>/<see cref="FromBytes"/> bit-exact and detection after a round trip identical to
/// detection without one. Immutable.
/// </summary>
/// <remarks>
/// Layout (little-endian): "SKBG", version u16, flags u16 (0), width i32, height i32, framesSeen i64, then width×height
/// mean u16, width×height variance f16, width×height previous frame u8. 5 bytes per pixel: 384,024 bytes for 320×240.
/// </remarks>
public sealed class BackgroundModel
{
    public const ushort FormatVersion = 1;
    public const int HeaderSize = 24;

    /// <summary>Largest model side accepted when reading; matches the largest preprocess target.</summary>
    public const int MaxDimension = 4096;

    /// <summary>Mean is stored as round(mean × 256).</summary>
    internal const double MeanScale = 256.0;

    private static ReadOnlySpan<byte> Magic => "SKBG"u8;

    private readonly ushort[] mean;
    private readonly Half[] variance;
    private readonly byte[] previous;

    private BackgroundModel(int width, int height, long framesSeen, ushort[] mean, Half[] variance, byte[] previous)
    {
        this.previous = previous;
        Width = width;
        Height = height;
        FramesSeen = framesSeen;
        this.mean = mean;
        this.variance = variance;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Frames this model has learned from, including the first.</summary>
    public long FramesSeen { get; }

    /// <summary>Size of <see cref="ToBytes"/> for a model of this size.</summary>
    public static int EncodedSize(int width, int height)
    {
        CheckDimensions(width, height);
        return HeaderSize + (width * height * 5);
    }

    /// <summary>Background mean at a pixel, in gray levels.</summary>
    public double MeanAt(int x, int y) => mean[Index(x, y)] / MeanScale;

    /// <summary>Background variance at a pixel, in gray levels².</summary>
    public double VarianceAt(int x, int y) => (double)variance[Index(x, y)];

    public byte[] ToBytes()
    {
        var pixels = Width * Height;
        var bytes = new byte[EncodedSize(Width, Height)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Width);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Height);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], FramesSeen);
        var meanBytes = span.Slice(HeaderSize, pixels * 2);
        var varianceBytes = span.Slice(HeaderSize + (pixels * 2), pixels * 2);
        previous.CopyTo(span[(HeaderSize + (pixels * 4))..]);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(mean.AsSpan()).CopyTo(meanBytes);
            MemoryMarshal.AsBytes(variance.AsSpan()).CopyTo(varianceBytes);
        }
        else
        {
            for (var i = 0; i < pixels; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(meanBytes[(i * 2)..], mean[i]);
                BinaryPrimitives.WriteHalfLittleEndian(varianceBytes[(i * 2)..], variance[i]);
            }
        }

        return bytes;
    }

    /// <summary>Reads a model written by <see cref="ToBytes"/>; throws <see cref="InvalidBackgroundModelException"/> otherwise.</summary>
    public static BackgroundModel FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize)
        {
            throw new InvalidBackgroundModelException($"Background model is {bytes.Length} bytes, shorter than its {HeaderSize}-byte header.");
        }

        if (!bytes.StartsWith(Magic))
        {
            throw new InvalidBackgroundModelException("Bytes are not a background model (no SKBG signature).");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (version != FormatVersion)
        {
            throw new InvalidBackgroundModelException($"Background model format version {version} is not supported (expected {FormatVersion}).");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        if (flags != 0)
        {
            throw new InvalidBackgroundModelException($"Background model has unknown flags 0x{flags:X4}.");
        }

        var width = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var framesSeen = BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]);
        if (width < 1 || height < 1 || width > MaxDimension || height > MaxDimension)
        {
            throw new InvalidBackgroundModelException($"Background model size {width}x{height} is outside 1..{MaxDimension} per side.");
        }

        if (framesSeen < 1)
        {
            throw new InvalidBackgroundModelException($"Background model has learned {framesSeen} frames; a stored model has at least 1.");
        }

        var expected = EncodedSize(width, height);
        if (bytes.Length != expected)
        {
            throw new InvalidBackgroundModelException(
                $"Background model of {width}x{height} must be {expected} bytes but is {bytes.Length} (truncated or padded).");
        }

        var pixels = width * height;
        var mean = new ushort[pixels];
        var variance = new Half[pixels];
        var previous = bytes.Slice(HeaderSize + (pixels * 4), pixels).ToArray();
        var meanBytes = bytes.Slice(HeaderSize, pixels * 2);
        var varianceBytes = bytes.Slice(HeaderSize + (pixels * 2), pixels * 2);
        if (BitConverter.IsLittleEndian)
        {
            meanBytes.CopyTo(MemoryMarshal.AsBytes(mean.AsSpan()));
            varianceBytes.CopyTo(MemoryMarshal.AsBytes(variance.AsSpan()));
        }
        else
        {
            for (var i = 0; i < pixels; i++)
            {
                mean[i] = BinaryPrimitives.ReadUInt16LittleEndian(meanBytes[(i * 2)..]);
                variance[i] = BinaryPrimitives.ReadHalfLittleEndian(varianceBytes[(i * 2)..]);
            }
        }

        for (var i = 0; i < pixels; i++)
        {
            // A NaN, infinite or negative variance would silently disable (or trigger) every test on that pixel.
            if (!Half.IsFinite(variance[i]) || Half.IsNegative(variance[i]))
            {
                throw new InvalidBackgroundModelException(
                    $"Background model variance at pixel ({i % width},{i / width}) is {variance[i]}, not a finite non-negative number.");
            }
        }

        return new BackgroundModel(width, height, framesSeen, mean, variance, previous);
    }

    /// <summary>A model that has seen only <paramref name="gray"/> (8-bit, one channel).</summary>
    internal static BackgroundModel Initialize(Mat gray, double initialVariance)
    {
        using var mean = new Mat();
        gray.ConvertTo(mean, MatType.CV_32FC1);
        using var variance = new Mat(gray.Rows, gray.Cols, MatType.CV_32FC1, new Scalar(initialVariance));
        return FromMats(mean, variance, gray, 1);
    }

    /// <summary>Quantizes float mean/variance images into a model (this rounding is what makes the stored form exact).</summary>
    internal static BackgroundModel FromMats(Mat mean32, Mat variance32, Mat frame, long framesSeen)
    {
        var width = mean32.Cols;
        var height = mean32.Rows;
        CheckDimensions(width, height);
        using var meanFixed = new Mat();
        mean32.ConvertTo(meanFixed, MatType.CV_16UC1, MeanScale); // rounds to nearest and saturates to 0..65535
        using var varianceHalf = new Mat();
        variance32.ConvertTo(varianceHalf, MatType.CV_16FC1);
        return new BackgroundModel(
            width,
            height,
            framesSeen,
            CopyOut<ushort>(meanFixed, width * height),
            CopyOut<Half>(varianceHalf, width * height),
            CopyOut<byte>(frame, width * height));
    }

    /// <summary>The mean as a 32-bit float image (exact: 1/256 is a power of two).</summary>
    internal Mat MeanToMat()
    {
        using var fixedPoint = CopyIn(mean, MatType.CV_16UC1);
        var result = new Mat();
        fixedPoint.ConvertTo(result, MatType.CV_32FC1, 1.0 / MeanScale);
        return result;
    }

    /// <summary>The variance as a 32-bit float image (exact widening from half).</summary>
    internal Mat VarianceToMat()
    {
        using var half = CopyIn(variance, MatType.CV_16FC1);
        var result = new Mat();
        half.ConvertTo(result, MatType.CV_32FC1);
        return result;
    }

    /// <summary>The frame this model learned last (8-bit gray).</summary>
    internal Mat PreviousToMat() => CopyIn(previous, MatType.CV_8UC1);

    private Mat CopyIn<T>(T[] values, MatType type)
        where T : unmanaged
    {
        var mat = new Mat(Height, Width, type);
        values.AsSpan().CopyTo(mat.AsSpan<T>());
        return mat;
    }

    private static T[] CopyOut<T>(Mat mat, int count)
        where T : unmanaged
    {
        if (!mat.IsContinuous())
        {
            throw new InvalidOperationException("Expected a continuous matrix.");
        }

        var values = new T[count];
        mat.AsSpan<T>()[..count].CopyTo(values);
        return values;
    }

    private int Index(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return (y * Width) + x;
    }

    private static void CheckDimensions(int width, int height)
    {
        if (width < 1 || height < 1 || width > MaxDimension || height > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A background model is 1..{MaxDimension} pixels per side, not {width}x{height}.");
        }
    }
}
