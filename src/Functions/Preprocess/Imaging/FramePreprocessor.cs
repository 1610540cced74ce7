using OpenCvSharp;

namespace Skylark.Events.Functions.Preprocess.Imaging;

/// <summary>Camera JPEG → grayscale, resized, denoised, encoded frame. Pure and thread-safe.</summary>
public static class FramePreprocessor
{
    /// <summary>Preprocesses one frame; throws <see cref="InvalidFrameException"/> for anything that is not an acceptable image.</summary>
    public static PreprocessedFrame Process(ReadOnlyMemory<byte> image, PreprocessSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var data = image.Span;
        if (data.IsEmpty)
        {
            throw new InvalidFrameException("Frame is empty (0 bytes).");
        }

        if (data.Length > settings.MaxInputBytes)
        {
            throw new InvalidFrameException(
                $"Frame is {data.Length} bytes, over the limit of {settings.MaxInputBytes} bytes.");
        }

        var header = ImageHeader.Read(data);
        if (header.Width < 1 || header.Height < 1)
        {
            throw new InvalidFrameException($"{header.Format} frame declares an empty size {header.Width}x{header.Height}.");
        }

        if (header.Width > settings.MaxInputDimension || header.Height > settings.MaxInputDimension)
        {
            throw new InvalidFrameException(
                $"{header.Format} frame is {header.Width}x{header.Height}, over the limit of {settings.MaxInputDimension} pixels per side.");
        }

        using var gray = Decode(data, header);
        using var resized = new Mat();
        var target = new Size(settings.TargetWidth, settings.TargetHeight);
        // Area averaging is the alias-free choice when shrinking; it degrades to nearest-neighbour when enlarging.
        var interpolation = target.Width <= gray.Width && target.Height <= gray.Height
            ? InterpolationFlags.Area
            : InterpolationFlags.Linear;
        Cv2.Resize(gray, resized, target, 0, 0, interpolation);

        if (settings.DenoiseKernel > 0)
        {
            Cv2.GaussianBlur(resized, resized, new Size(settings.DenoiseKernel, settings.DenoiseKernel), 0, 0, BorderTypes.Reflect101);
        }

        var encoded = Encode(resized, settings);
        return new PreprocessedFrame(encoded, settings.Output, resized.Width, resized.Height, gray.Width, gray.Height);
    }

    private static Mat Decode(ReadOnlySpan<byte> data, ImageHeader header)
    {
        Mat decoded;
        try
        {
            // Fixed cameras: ignore EXIF rotation so output size always follows the header (and the settings) exactly.
            decoded = Cv2.ImDecode(data, ImreadModes.Grayscale | ImreadModes.IgnoreOrientation);
        }
        catch (OpenCVException e)
        {
            throw new InvalidFrameException($"{header.Format} frame could not be decoded: {e.ErrMsg}", e);
        }

        if (decoded.Empty() || decoded.Width != header.Width || decoded.Height != header.Height)
        {
            var size = decoded.Empty() ? "nothing" : $"{decoded.Width}x{decoded.Height}";
            decoded.Dispose();
            throw new InvalidFrameException(
                $"{header.Format} frame is corrupt: its header says {header.Width}x{header.Height} but it decodes to {size}.");
        }

        return decoded;
    }

    private static byte[] Encode(Mat gray, PreprocessSettings settings)
    {
        var (extension, parameters) = settings.Output switch
        {
            FrameEncoding.Jpeg => (".jpg", new[] { new ImageEncodingParam(ImwriteFlags.JpegQuality, settings.JpegQuality) }),
            // Level 1 keeps encoding cheap on edge nodes; the size difference to level 9 is small for blurred frames.
            _ => (".png", new[] { new ImageEncodingParam(ImwriteFlags.PngCompression, 1) }),
        };
        // ImEncode throws OpenCVException on failure; with a valid 8-bit Mat and a built-in codec that is a bug, not bad input.
        Cv2.ImEncode(extension, gray, out var bytes, parameters);
        return bytes;
    }
}
