namespace Skylark.Events.Functions.Preprocess.Imaging;

/// <summary>An encoded single-channel (grayscale) frame at the target size, plus the size of the frame it came from.</summary>
public sealed class PreprocessedFrame
{
    public PreprocessedFrame(ReadOnlyMemory<byte> image, FrameEncoding encoding, int width, int height, int sourceWidth, int sourceHeight)
    {
        if (image.IsEmpty)
        {
            throw new ArgumentException("A preprocessed frame needs image bytes.", nameof(image));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceHeight, 1);
        Image = image;
        Encoding = encoding;
        Width = width;
        Height = height;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
    }

    /// <summary>The encoded grayscale image (PNG or JPEG, see <see cref="Encoding"/>).</summary>
    public ReadOnlyMemory<byte> Image { get; }

    public FrameEncoding Encoding { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width of the camera frame before resizing; detections scale back with SourceWidth / Width.</summary>
    public int SourceWidth { get; }

    public int SourceHeight { get; }

    /// <summary>MIME type of <see cref="Image"/>, for storing it as a bundle.</summary>
    public string ContentType => Encoding == FrameEncoding.Png ? "image/png" : "image/jpeg";
}
