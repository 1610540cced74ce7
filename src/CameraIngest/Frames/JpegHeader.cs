using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Skylark.Events.CameraIngest.Frames;

/// <summary>
/// Width and height of a baseline or progressive JPEG from its start-of-frame segment, without decoding pixels:
/// enough for the bridge to describe a frame (and to refuse what is not one) before it is stored.
/// </summary>
public readonly record struct JpegHeader(int Width, int Height)
{
    public static bool TryRead(ReadOnlySpan<byte> data, out JpegHeader header, [NotNullWhen(false)] out string? problem)
    {
        header = default;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF)
        {
            problem = $"not a JPEG ({data.Length} bytes without the JPEG start-of-image marker)";
            return false;
        }

        var position = 2;
        int? width = null;
        int? height = null;
        while (true)
        {
            if (position >= data.Length || data[position] != 0xFF)
            {
                problem = $"corrupt JPEG: no marker at byte {position}";
                return false;
            }

            // Any number of 0xFF fill bytes may precede a marker.
            while (position < data.Length && data[position] == 0xFF)
            {
                position++;
            }

            if (position >= data.Length)
            {
                problem = "truncated JPEG: ends inside its header";
                return false;
            }

            var marker = data[position++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue; // Markers without a length field.
            }

            if (marker == 0xD9)
            {
                problem = "corrupt JPEG: end-of-image before any image data";
                return false;
            }

            if (position + 2 > data.Length)
            {
                problem = "truncated JPEG: ends inside its header";
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position, 2));
            if (length < 2 || position + length > data.Length)
            {
                problem = $"truncated or corrupt JPEG: segment 0xFF{marker:X2} claims {length} bytes";
                return false;
            }

            if (IsStartOfFrame(marker))
            {
                if (length < 7)
                {
                    problem = "corrupt JPEG: start-of-frame segment too short";
                    return false;
                }

                height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position + 3, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position + 5, 2));
            }
            else if (marker == 0xDA)
            {
                if (width is not > 0 || height is not > 0)
                {
                    problem = "corrupt JPEG: no start-of-frame with a size before the image data";
                    return false;
                }

                // A frame cut off mid-way still starts like a JPEG; only the end-of-image marker tells it is whole.
                // Scan data escapes 0xFF as 0xFF00, so any 0xFFD9 after the scan header is the real end (padding may follow).
                if (data[(position + length)..].LastIndexOf(EndOfImage) < 0)
                {
                    problem = "truncated JPEG: no end-of-image marker";
                    return false;
                }

                header = new JpegHeader(width.Value, height.Value);
                problem = null;
                return true;
            }

            position += length;
        }
    }

    private static ReadOnlySpan<byte> EndOfImage => [0xFF, 0xD9];

    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC) which share the range.
    private static bool IsStartOfFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
}
