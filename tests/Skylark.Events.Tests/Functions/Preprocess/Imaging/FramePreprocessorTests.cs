using System.Buffers.Binary;
using OpenCvSharp;
using Skylark.Events.Functions.Preprocess.Imaging;

namespace Skylark.Events.Tests.Functions.Preprocess.Imaging;

public class FramePreprocessorTests
{
    [Fact]
    public void Decodes_a_camera_JPEG_with_the_native_OpenCV_runtime_into_a_single_channel_PNG()
    {
        var frame = FramePreprocessor.Process(TestImages.Jpeg(64, 48), new PreprocessSettings(targetWidth: 64, targetHeight: 48));

        using var decoded = TestImages.DecodeUnchanged(frame.Image);
        Assert.Equal(FrameEncoding.Png, frame.Encoding);
        Assert.Equal("image/png", frame.ContentType);
        Assert.Equal(1, decoded.Channels());
        Assert.Equal(MatType.CV_8UC1, decoded.Type());
        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
    }

    [Theory]
    [InlineData(640, 480, 320, 240)]
    [InlineData(1280, 720, 320, 180)]
    [InlineData(100, 80, 320, 240)]
    [InlineData(320, 240, 160, 160)]
    public void Resizes_to_the_target_size_and_remembers_the_source_size(int width, int height, int targetWidth, int targetHeight)
    {
        var frame = FramePreprocessor.Process(TestImages.Jpeg(width, height), new PreprocessSettings(targetWidth, targetHeight));

        using var decoded = TestImages.DecodeUnchanged(frame.Image);
        Assert.Equal((targetWidth, targetHeight), (frame.Width, frame.Height));
        Assert.Equal((targetWidth, targetHeight), (decoded.Width, decoded.Height));
        Assert.Equal((width, height), (frame.SourceWidth, frame.SourceHeight));
    }

    [Fact]
    public void Converts_color_to_luma()
    {
        using var image = TestImages.RedBlue(200, 100);
        var png = TestImages.Encode(image, ".png");

        var frame = FramePreprocessor.Process(png, new PreprocessSettings(targetWidth: 200, targetHeight: 100, denoiseKernel: 0));

        using var decoded = TestImages.DecodeUnchanged(frame.Image);
        // Y = 0.299 R + 0.587 G + 0.114 B
        Assert.Equal(76, decoded.At<byte>(50, 20));
        Assert.Equal(29, decoded.At<byte>(50, 180));
        Assert.Equal(255, decoded.At<byte>(50, 100));
    }

    [Fact]
    public void PNG_output_is_exactly_the_decoded_resized_and_blurred_frame()
    {
        using var noise = TestImages.Noise(160, 120, seed: 7);
        var input = TestImages.Encode(noise, ".png");
        var settings = new PreprocessSettings(targetWidth: 80, targetHeight: 60, denoiseKernel: 5);

        var frame = FramePreprocessor.Process(input, settings);

        using var expected = new Mat();
        Cv2.Resize(noise, expected, new Size(80, 60), 0, 0, InterpolationFlags.Area);
        Cv2.GaussianBlur(expected, expected, new Size(5, 5), 0, 0, BorderTypes.Reflect101);
        using var decoded = TestImages.DecodeUnchanged(frame.Image);
        Assert.Equal(expected.AsSpan<byte>().ToArray(), decoded.AsSpan<byte>().ToArray());
    }

    [Fact]
    public void Denoising_smooths_pixel_noise()
    {
        using var noise = TestImages.Noise(64, 64, seed: 3);
        var input = TestImages.Encode(noise, ".png");

        var raw = FramePreprocessor.Process(input, new PreprocessSettings(64, 64, denoiseKernel: 0));
        var smoothed = FramePreprocessor.Process(input, new PreprocessSettings(64, 64, denoiseKernel: 7));

        Assert.True(StandardDeviation(smoothed) < StandardDeviation(raw) / 2);
    }

    [Fact]
    public void Encodes_JPEG_when_configured()
    {
        var frame = FramePreprocessor.Process(TestImages.Jpeg(320, 240), new PreprocessSettings(output: FrameEncoding.Jpeg, jpegQuality: 80));

        Assert.Equal(FrameEncoding.Jpeg, frame.Encoding);
        Assert.Equal("image/jpeg", frame.ContentType);
        Assert.Equal([0xFF, 0xD8], frame.Image.Span[..2].ToArray());
        using var decoded = Cv2.ImDecode(frame.Image.Span, ImreadModes.Unchanged);
        Assert.Equal((320, 240, 1), (decoded.Width, decoded.Height, decoded.Channels()));
    }

    [Fact]
    public void Accepts_PNG_camera_frames()
    {
        using var image = TestImages.RedBlue(64, 64);

        var frame = FramePreprocessor.Process(TestImages.Encode(image, ".png"), new PreprocessSettings(32, 32));

        Assert.Equal((32, 32, 64, 64), (frame.Width, frame.Height, frame.SourceWidth, frame.SourceHeight));
    }

    public static TheoryData<string, byte[], string> NotImages => new()
    {
        { "empty", [], "empty" },
        { "text", "hello, camera"u8.ToArray(), "not a JPEG or PNG" },
        { "random bytes", RandomBytes(4096), "not a JPEG or PNG" },
        { "JPEG signature only", [0xFF, 0xD8, 0xFF], "truncated" },
        { "PNG signature only", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "truncated" },
    };

    [Theory]
    [MemberData(nameof(NotImages))]
    public void Rejects_input_that_is_not_an_image_with_a_message(string description, byte[] input, string expected)
    {
        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(input, PreprocessSettings.Default));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(description);
    }

    [Fact]
    public void Rejects_a_truncated_JPEG()
    {
        var jpeg = TestImages.Jpeg(320, 240);

        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(jpeg.AsMemory(0, jpeg.Length / 2), PreprocessSettings.Default));

        Assert.Contains("no end-of-image marker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_JPEG_whose_header_is_cut_inside_a_segment()
    {
        var jpeg = TestImages.Jpeg(320, 240);

        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(jpeg.AsMemory(0, 30), PreprocessSettings.Default));

        Assert.Contains("JPEG frame is truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_truncated_PNG_that_the_decoder_cannot_finish()
    {
        using var noise = TestImages.Noise(128, 128, seed: 1);
        var png = TestImages.Encode(noise, ".png");

        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(png.AsMemory(0, png.Length / 2), PreprocessSettings.Default));

        Assert.StartsWith("PNG frame", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_frame_over_the_byte_limit()
    {
        var jpeg = TestImages.Jpeg(320, 240);

        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(jpeg, new PreprocessSettings(maxInputBytes: jpeg.Length - 1)));

        Assert.Contains($"over the limit of {jpeg.Length - 1} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_frame_over_the_dimension_limit()
    {
        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(TestImages.Jpeg(200, 100), new PreprocessSettings(maxInputDimension: 128)));

        Assert.Contains("200x100, over the limit of 128 pixels per side", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_decompression_bomb_from_its_header_before_decoding()
    {
        // A small valid JPEG whose start-of-frame claims 60000x60000: decoding would allocate gigabytes.
        var jpeg = TestImages.Jpeg(64, 64);
        var sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 60000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 60000);

        var error = Assert.Throws<InvalidFrameException>(() => FramePreprocessor.Process(jpeg, PreprocessSettings.Default));

        Assert.Contains("60000x60000", error.Message, StringComparison.Ordinal);
    }

    private static double StandardDeviation(PreprocessedFrame frame)
    {
        using var decoded = TestImages.DecodeUnchanged(frame.Image);
        Cv2.MeanStdDev(decoded, out _, out var deviation);
        return deviation.Val0;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(11).NextBytes(bytes);
        bytes[0] = 0x42; // never a JPEG/PNG signature by accident
        return bytes;
    }
}
