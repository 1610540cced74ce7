using System.Buffers.Binary;

namespace Skylark.Events.Functions.Preprocess.Imaging;

/// <summary>
/// Reads format and dimensions from a JPEG or PNG header without decoding, so an oversized frame (or a decompression
/// bomb) is refused before OpenCV allocates its pixels, and a truncated JPEG (which libjpeg would silently pad with
/// gray) is refused at all.
/// </summary>
internal readonly record struct ImageHeader(string Format, int Width, int Height)
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> JpegEndOfImage => [0xFF, 0xD9];

    /// <summary>Returns the header, or throws <see cref="InvalidFrameException"/> naming what is wrong.</summary>
    public static ImageHeader Read(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ReadJpeg(data);
        }

        if (data.StartsWith(PngSignature))
        {
            return ReadPng(data);
        }

        throw new InvalidFrameException($"Frame is not a JPEG or PNG image ({data.Length} bytes, unrecognized signature).");
    }

    private static ImageHeader ReadPng(ReadOnlySpan<byte> data)
    {
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
        if (data.Length < 24 || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new InvalidFrameException("PNG frame is truncated or corrupt: no IHDR header.");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4));
        var height = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4));
        return new ImageHeader("PNG", ClampDimension(width), ClampDimension(height));
    }

    private static ImageHeader ReadJpeg(ReadOnlySpan<byte> data)
    {
        int? width = null;
        int? height = null;
        var position = 2;
        while (true)
        {
            // Markers may be preceded by any number of 0xFF fill bytes.
            if (position >= data.Length || data[position] != 0xFF)
            {
                throw new InvalidFrameException($"JPEG frame is corrupt: expected a marker at byte {position}.");
            }

            while (position < data.Length && data[position] == 0xFF)
            {
                position++;
            }

            if (position >= data.Length)
            {
                throw new InvalidFrameException("JPEG frame is truncated inside its header.");
            }

            var marker = data[position++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // Stand-alone markers carry no length.
            }

            if (marker == 0xD9)
            {
                throw new InvalidFrameException("JPEG frame ends before any image data.");
            }

            if (position + 2 > data.Length)
            {
                throw new InvalidFrameException("JPEG frame is truncated inside its header.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position, 2));
            if (length < 2 || position + length > data.Length)
            {
                throw new InvalidFrameException($"JPEG frame is truncated or corrupt: segment 0xFF{marker:X2} has length {length}.");
            }

            if (IsStartOfFrame(marker))
            {
                if (length < 7)
                {
                    throw new InvalidFrameException("JPEG frame is corrupt: start-of-frame segment is too short.");
                }

                height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position + 3, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position + 5, 2));
            }

            if (marker == 0xDA)
            {
                if (width is null || height is null)
                {
                    throw new InvalidFrameException("JPEG frame is corrupt: image data starts before a start-of-frame header.");
                }

                // Entropy-coded data escapes 0xFF as 0xFF00, so an end-of-image marker after the scan header is the real one.
                if (data[(position + length)..].LastIndexOf(JpegEndOfImage) < 0)
                {
                    throw new InvalidFrameException("JPEG frame is truncated: no end-of-image marker.");
                }

                return new ImageHeader("JPEG", width.Value, height.Value);
            }

            position += length;
        }
    }

    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    private static bool IsStartOfFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    private static int ClampDimension(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
