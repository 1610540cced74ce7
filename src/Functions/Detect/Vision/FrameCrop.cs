using OpenCvSharp;

namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>
/// The part of a frame that holds its detections, as a JPEG: the evidence an alarm shows an operator, far smaller than
/// the frame and still an image. One rectangle around every box, widened by a margin and clipped to the frame.
/// </summary>
public static class FrameCrop
{
    /// <param name="image">The preprocessed frame (PNG or JPEG), already checked by <see cref="MotionDetector"/>.</param>
    /// <param name="boxes">Detections in the frame's pixels; none gives no crop.</param>
    /// <param name="marginPixels">Added on every side, so the object's surroundings stay visible.</param>
    /// <param name="jpegQuality">1–100.</param>
    /// <returns>The JPEG, or null when there is nothing to crop or the frame cannot be decoded.</returns>
    public static byte[]? Encode(ReadOnlySpan<byte> image, IReadOnlyList<BoundingBox> boxes, int marginPixels = 8, int jpegQuality = 85)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentOutOfRangeException.ThrowIfNegative(marginPixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(jpegQuality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jpegQuality, 100);
        if (boxes.Count == 0 || image.IsEmpty)
        {
            return null;
        }

        using var frame = Cv2.ImDecode(image, ImreadModes.Unchanged);
        if (frame.Empty())
        {
            return null;
        }

        var left = Math.Max(0, boxes.Min(b => b.X) - marginPixels);
        var top = Math.Max(0, boxes.Min(b => b.Y) - marginPixels);
        var right = Math.Min(frame.Width, boxes.Max(b => b.X + b.Width) + marginPixels);
        var bottom = Math.Min(frame.Height, boxes.Max(b => b.Y + b.Height) + marginPixels);
        if (right <= left || bottom <= top)
        {
            return null;
        }

        using var region = new Mat(frame, new Rect(left, top, right - left, bottom - top));
        Cv2.ImEncode(".jpg", region, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, jpegQuality));
        return jpeg;
    }
}
