using Skylark.Events.CameraIngest.Frames;
using Skylark.Events.Lab.Cameras;

namespace Skylark.Events.Tests.CameraIngest.Frames;

public class JpegHeaderTests
{
    private static byte[] RealJpeg(int width, int height) =>
        new SyntheticScene(3, new SyntheticSceneOptions(width: width, height: height)).RenderFrame(0).Jpeg.ToArray();

    [Theory]
    [InlineData(160, 120)]
    [InlineData(96, 64)]
    public void Reads_the_size_of_a_real_jpeg_without_decoding_it(int width, int height)
    {
        Assert.True(JpegHeader.TryRead(RealJpeg(width, height), out var header, out var problem), problem);
        Assert.Equal(new JpegHeader(width, height), header);
    }

    [Fact]
    public void Accepts_padding_after_the_end_of_image()
    {
        byte[] padded = [.. RealJpeg(96, 64), 0, 0, 0];

        Assert.True(JpegHeader.TryRead(padded, out var header, out _));
        Assert.Equal(96, header.Width);
    }

    [Fact]
    public void Refuses_a_frame_cut_off_in_the_middle()
    {
        var jpeg = RealJpeg(160, 120);

        Assert.False(JpegHeader.TryRead(jpeg.AsSpan(0, jpeg.Length / 2), out _, out var problem));
        Assert.Contains("truncated", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "not a JPEG")]
    [InlineData(new byte[] { }, "not a JPEG")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }, "end-of-image before any image data")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9 }, "no start-of-frame")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x01, 0x00, 0x00 }, "claims 256 bytes")]
    public void Refuses_what_is_not_a_whole_jpeg_saying_why(byte[] data, string expected)
    {
        Assert.False(JpegHeader.TryRead(data, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
