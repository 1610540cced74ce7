using System.Buffers.Binary;
using OpenCvSharp;
using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Tests.Functions.Detect.Vision;

public class BackgroundModelTests
{
    private static readonly MotionDetector Detector = new(new MotionDetectorSettings(warmupFrames: 5));

    [Fact]
    public void Round_trips_through_bytes_bit_exactly()
    {
        var model = Learn(new SyntheticFrames(), frames: 12, withObject: true);

        var bytes = model.ToBytes();
        var back = BackgroundModel.FromBytes(bytes);

        Assert.Equal(bytes, back.ToBytes());
        Assert.Equal((model.Width, model.Height, model.FramesSeen), (back.Width, back.Height, back.FramesSeen));
        for (var y = 0; y < model.Height; y += 7)
        {
            for (var x = 0; x < model.Width; x += 5)
            {
                Assert.Equal(model.MeanAt(x, y), back.MeanAt(x, y));
                Assert.Equal(model.VarianceAt(x, y), back.VarianceAt(x, y));
            }
        }
    }

    [Fact]
    public void A_320x240_model_takes_five_bytes_per_pixel_plus_a_small_header()
    {
        var model = Learn(new SyntheticFrames(320, 240), frames: 2, withObject: false);

        var bytes = model.ToBytes();

        Assert.Equal(24 + (320 * 240 * 5), bytes.Length);
        Assert.Equal(bytes.Length, BackgroundModel.EncodedSize(320, 240));
        Assert.True(bytes.Length < 1024 * 1024 / 2);
        Assert.Equal("SKBG"u8.ToArray(), bytes[..4]);
        Assert.Equal(BackgroundModel.FormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(320, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(240, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(2, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)));
    }

    [Fact]
    public void The_mean_is_kept_to_within_half_of_one_256th_of_a_gray_level()
    {
        using var flat = new Mat(8, 8, MatType.CV_8UC1, new Scalar(200));
        Cv2.ImEncode(".png", flat, out var png);
        using var darker = new Mat(8, 8, MatType.CV_8UC1, new Scalar(201));
        Cv2.ImEncode(".png", darker, out var png2);

        var model = Detector.Detect(png, null).Model;
        model = Detector.Detect(png2, model).Model; // rate 1/2 while warming up: exact mean 200.5
        model = Detector.Detect(png2, model).Model; // rate 1/3: 200.5 + 0.5/3 = 200.6667

        Assert.Equal(200.5 + (0.5 / 3), model.MeanAt(3, 3), tolerance: 0.5 / 256);
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> Corruptions => new()
    {
        { "truncated header", b => b[..10], "shorter than its 24-byte header" },
        { "truncated pixels", b => b[..^1], "truncated or padded" },
        { "padded", b => [.. b, 0], "truncated or padded" },
        { "bad signature", b => Patch(b, 0, 0x58), "no SKBG signature" },
        { "future version", b => PatchUInt16(b, 4, 2), "version 2 is not supported" },
        { "unknown flags", b => PatchUInt16(b, 6, 1), "unknown flags" },
        { "zero width", b => PatchInt32(b, 8, 0), "outside 1..4096" },
        { "huge height", b => PatchInt32(b, 12, 100_000), "outside 1..4096" },
        { "no frames", b => PatchInt64(b, 16, 0), "learned 0 frames" },
        { "NaN variance", b => PatchUInt16(b, 24 + (160 * 120 * 2), 0x7E00), "not a finite non-negative number" },
        { "negative variance", b => PatchUInt16(b, 24 + (160 * 120 * 2), 0xBC00), "not a finite non-negative number" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Rejects_bytes_that_are_not_a_valid_model_with_a_message(string description, Func<byte[], byte[]> corrupt, string expected)
    {
        var bytes = Learn(new SyntheticFrames(), frames: 2, withObject: false).ToBytes();

        var error = Assert.Throws<InvalidBackgroundModelException>(() => BackgroundModel.FromBytes(corrupt(bytes)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(description);
    }

    private static BackgroundModel Learn(SyntheticFrames source, int frames, bool withObject)
    {
        BackgroundModel? model = null;
        for (var i = 0; i < frames; i++)
        {
            var squares = withObject ? new[] { new Rect(10 + (i * 4), 40, 16, 30) } : [];
            model = Detector.Detect(source.Png(i, squares), model).Model;
        }

        return model!;
    }

    private static byte[] Patch(byte[] bytes, int offset, byte value)
    {
        var copy = bytes.ToArray();
        copy[offset] = value;
        return copy;
    }

    private static byte[] PatchUInt16(byte[] bytes, int offset, ushort value)
    {
        var copy = bytes.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static byte[] PatchInt64(byte[] bytes, int offset, long value)
    {
        var copy = bytes.ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static byte[] PatchInt32(byte[] bytes, int offset, int value)
    {
        var copy = bytes.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }
}
