using OpenCvSharp;

namespace Skylark.Events.Tests.Functions.Preprocess.Imaging;

/// <summary>Small images made with OpenCV for preprocess tests.</summary>
internal static class TestImages
{
    /// <summary>A BGR image: left half pure red, right half pure blue, with a white square in the middle.</summary>
    public static Mat RedBlue(int width, int height)
    {
        var image = new Mat(height, width, MatType.CV_8UC3, new Scalar(255, 0, 0));
        Cv2.Rectangle(image, new Rect(0, 0, width / 2, height), new Scalar(0, 0, 255), thickness: -1);
        Cv2.Rectangle(image, new Rect((width / 2) - 4, (height / 2) - 4, 8, 8), new Scalar(255, 255, 255), thickness: -1);
        return image;
    }

    /// <summary>A gray image of seeded uniform noise.</summary>
    public static Mat Noise(int width, int height, int seed)
    {
        var image = new Mat(height, width, MatType.CV_8UC1);
        var random = new Random(seed);
        random.NextBytes(image.AsSpan<byte>());
        return image;
    }

    public static byte[] Encode(Mat image, string extension, int jpegQuality = 95)
    {
        Cv2.ImEncode(extension, image, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, jpegQuality));
        return bytes;
    }

    public static byte[] Jpeg(int width, int height)
    {
        using var image = RedBlue(width, height);
        return Encode(image, ".jpg");
    }

    public static Mat DecodeUnchanged(ReadOnlyMemory<byte> bytes) => Cv2.ImDecode(bytes.Span, ImreadModes.Unchanged);
}
