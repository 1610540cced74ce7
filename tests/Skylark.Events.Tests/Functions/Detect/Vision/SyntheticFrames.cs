using OpenCvSharp;

namespace Skylark.Events.Tests.Functions.Detect.Vision;

/// <summary>Small grayscale PNG frames for detector tests: a textured static background plus optional dark squares.</summary>
internal sealed class SyntheticFrames
{
    private readonly byte[] background;

    public SyntheticFrames(int width = 160, int height = 120, int seed = 1)
    {
        Width = width;
        Height = height;
        var random = new Random(seed);
        background = new byte[width * height];
        for (var i = 0; i < background.Length; i++)
        {
            var x = i % width;
            background[i] = (byte)(110 + (40 * x / width) + random.Next(-6, 7));
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The background with per-frame noise (seeded by <paramref name="frame"/>) and the given squares drawn dark.</summary>
    public byte[] Png(int frame, params Rect[] squares)
    {
        using var image = new Mat(Height, Width, MatType.CV_8UC1);
        background.AsSpan().CopyTo(image.AsSpan<byte>());
        var pixels = image.AsSpan<byte>();
        var random = new Random(1000 + frame);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-2, 3), 0, 255);
        }

        foreach (var square in squares)
        {
            Cv2.Rectangle(image, square, new Scalar(30), thickness: -1);
        }

        Cv2.ImEncode(".png", image, out var png);
        return png;
    }
}
