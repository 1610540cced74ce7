using OpenCvSharp;
using Skylark.Events.Lab.Cameras;

namespace Skylark.Events.Tests.Lab.Cameras;

public class SyntheticSceneTests
{
    private static readonly SyntheticSceneOptions Small = new(width: 320, height: 240, objectCount: 3, brightnessDrift: 8);

    [Fact]
    public void The_same_seed_renders_the_same_frames_byte_for_byte()
    {
        var first = new SyntheticScene(42, Small);
        var second = new SyntheticScene(42, Small);

        // Out of order on purpose: a frame depends on nothing but the seed and its number.
        foreach (var seq in new long[] { 7, 0, 3, 100 })
        {
            var (jpegA, truthA) = first.RenderFrame(seq);
            var (jpegB, truthB) = second.RenderFrame(seq);
            Assert.Equal(jpegA.ToArray(), jpegB.ToArray());
            Assert.Equal(truthA.Boxes, truthB.Boxes);
        }
    }

    [Fact]
    public void Different_seeds_give_different_scenes()
    {
        var a = new SyntheticScene(1, Small).RenderFrame(0);
        var b = new SyntheticScene(2, Small).RenderFrame(0);

        Assert.NotEqual(a.Jpeg.ToArray(), b.Jpeg.ToArray());
    }

    [Fact]
    public void Frames_are_color_JPEGs_of_the_configured_size()
    {
        var (jpeg, truth) = new SyntheticScene(3, Small).RenderFrame(5);

        using var decoded = Cv2.ImDecode(jpeg.Span, ImreadModes.Unchanged);
        Assert.Equal((320, 240, 3), (decoded.Width, decoded.Height, decoded.Channels()));
        Assert.Equal(5, truth.Seq);
    }

    [Fact]
    public void Objects_stay_inside_the_frame_in_their_own_lanes_and_keep_moving()
    {
        var scene = new SyntheticScene(9, Small);
        var nonEmpty = Enumerable.Range(0, 300).Select(seq => scene.TruthAt(seq)).Where(t => t.Boxes.Count > 0).ToList();

        foreach (var truth in nonEmpty)
        {
            Assert.Equal(3, truth.Boxes.Count);
            Assert.All(truth.Boxes, box =>
            {
                Assert.InRange(box.X, 0, 320 - box.Width);
                Assert.InRange(box.Y, 0, 240 - box.Height);
            });
            for (var i = 0; i < truth.Boxes.Count; i++)
            {
                for (var j = i + 1; j < truth.Boxes.Count; j++)
                {
                    Assert.Equal(0, truth.Boxes[i].IntersectionOverUnion(truth.Boxes[j]));
                }
            }
        }

        Assert.Equal(3, nonEmpty.SelectMany(t => t.Boxes.Select((box, index) => (box, index))).Select(p => p.index).Distinct().Count());
        Assert.True(nonEmpty.Select(t => t.Boxes[0]).Distinct().Count() > 100, "objects should move every frame");
    }

    [Fact]
    public void Occasional_frames_show_no_objects_at_about_the_configured_rate()
    {
        var scene = new SyntheticScene(4, new SyntheticSceneOptions(emptyFrameRate: 0.1));

        var empty = Enumerable.Range(0, 2000).Count(seq => scene.TruthAt(seq).Boxes.Count == 0);

        Assert.InRange(empty, 140, 260);
    }

    [Fact]
    public void An_empty_scene_never_has_objects()
    {
        var scene = new SyntheticScene(4, new SyntheticSceneOptions(objectCount: 0));

        Assert.All(Enumerable.Range(0, 100), seq => Assert.Empty(scene.TruthAt(seq).Boxes));
    }

    [Fact]
    public void Rendered_objects_are_where_the_ground_truth_says()
    {
        var scene = new SyntheticScene(12, new SyntheticSceneOptions(width: 320, height: 240, sensorNoise: 0, emptyFrameRate: 0));
        var (jpeg, truth) = scene.RenderFrame(10);

        using var gray = Cv2.ImDecode(jpeg.Span, ImreadModes.Grayscale);
        foreach (var box in truth.Boxes)
        {
            // The box centre is object, far outside the background's 80..170 range.
            var centre = gray.At<byte>(box.Y + (box.Height / 3), box.X + (box.Width / 2));
            Assert.True(centre < 65 || centre > 190, $"pixel at the centre of {box} is {centre}");
        }
    }

    [Theory]
    [InlineData(32, 240, 1)]
    [InlineData(320, 240, 17)]
    public void Rejects_invalid_options(int width, int height, int objects)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticSceneOptions(width: width, height: height, objectCount: objects));
    }
}
