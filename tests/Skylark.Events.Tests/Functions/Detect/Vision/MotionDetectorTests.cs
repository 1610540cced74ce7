using OpenCvSharp;
using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Tests.Functions.Detect.Vision;

public class MotionDetectorTests
{
    private const int Warmup = 8;

    private readonly SyntheticFrames frames = new();
    private readonly MotionDetector detector = new(new MotionDetectorSettings(warmupFrames: Warmup));

    [Fact]
    public void The_first_frame_starts_a_new_model()
    {
        var result = detector.Detect(frames.Png(0), null);

        Assert.True(result.ModelReset);
        Assert.True(result.WarmingUp);
        Assert.Empty(result.Detections);
        Assert.Equal((160, 120, 1L), (result.Model.Width, result.Model.Height, result.Model.FramesSeen));
    }

    [Fact]
    public void Warm_up_frames_only_learn_even_when_something_moves()
    {
        BackgroundModel? model = null;
        for (var i = 0; i < Warmup; i++)
        {
            var result = detector.Detect(frames.Png(i, Square(i)), model);
            model = result.Model;

            Assert.True(result.WarmingUp);
            Assert.Empty(result.Detections);
            Assert.Equal(i + 1, model.FramesSeen);
        }

        Assert.False(detector.Detect(frames.Png(Warmup), model).WarmingUp);
    }

    [Fact]
    public void Finds_a_moving_object_after_warm_up()
    {
        var model = WarmUp();

        for (var i = 0; i < 10; i++)
        {
            var square = new Rect(20 + (i * 6), 40, 16, 30);
            var result = detector.Detect(frames.Png(Warmup + i, square), model);
            model = result.Model;

            var detection = Assert.Single(result.Detections);
            Assert.True(detection.Box.IntersectionOverUnion(new BoundingBox(square.X, square.Y, square.Width, square.Height)) > 0.8);
            Assert.InRange(detection.Area, 0.8 * 16 * 30, 1.2 * 16 * 30);
        }
    }

    [Fact]
    public void A_still_scene_gives_no_detections_after_warm_up()
    {
        var model = WarmUp();

        for (var i = 0; i < 20; i++)
        {
            var result = detector.Detect(frames.Png(Warmup + i), model);
            model = result.Model;

            Assert.Empty(result.Detections);
        }
    }

    [Fact]
    public void An_object_that_sat_through_warm_up_and_left_leaves_no_ghost()
    {
        var parked = new Rect(60, 40, 20, 36);
        BackgroundModel? model = null;
        for (var i = 0; i < Warmup; i++)
        {
            model = detector.Detect(frames.Png(i, parked), model).Model;
        }

        Assert.InRange(model!.MeanAt(70, 58), 25, 35); // the model learned the object as background

        // It drives off, which is motion, once.
        var departure = detector.Detect(frames.Png(Warmup), model);
        model = departure.Model;
        Assert.Single(departure.Detections);

        // The uncovered background differs from the model but does not move: it is not reported, and it is absorbed.
        for (var i = 1; i < 10; i++)
        {
            var result = detector.Detect(frames.Png(Warmup + i), model);
            model = result.Model;

            Assert.Empty(result.Detections);
        }

        Assert.InRange(model.MeanAt(70, 58), 100, 160);
    }

    [Fact]
    public void Detection_after_a_byte_round_trip_of_the_model_is_identical()
    {
        BackgroundModel? kept = null;
        BackgroundModel? stored = null;
        var framesWithDetections = 0;
        for (var i = 0; i < 30; i++)
        {
            var png = frames.Png(i, Square(i));
            var direct = detector.Detect(png, kept);
            var roundTripped = detector.Detect(png, stored is null ? null : BackgroundModel.FromBytes(stored.ToBytes()));
            kept = direct.Model;
            stored = roundTripped.Model;

            Assert.Equal(direct.Detections, roundTripped.Detections);
            Assert.Equal(direct.Model.ToBytes(), roundTripped.Model.ToBytes());
            framesWithDetections += direct.Detections.Count > 0 ? 1 : 0;
        }

        Assert.True(framesWithDetections >= 15, $"only {framesWithDetections} frames had detections");
    }

    [Fact]
    public void A_frame_of_another_size_starts_a_new_model()
    {
        var model = WarmUp();

        var result = detector.Detect(new SyntheticFrames(80, 60).Png(0), model);

        Assert.True(result.ModelReset);
        Assert.Equal((80, 60, 1L), (result.Model.Width, result.Model.Height, result.Model.FramesSeen));
    }

    [Fact]
    public void Small_objects_below_the_minimum_area_are_ignored()
    {
        var strict = new MotionDetector(new MotionDetectorSettings(warmupFrames: Warmup, minArea: 500));
        BackgroundModel? model = null;
        for (var i = 0; i < Warmup; i++)
        {
            model = strict.Detect(frames.Png(i), model).Model;
        }

        var result = strict.Detect(frames.Png(Warmup, new Rect(50, 50, 16, 30)), model);

        Assert.Empty(result.Detections);
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, "not a decodable image")]
    public void Rejects_frames_that_are_not_images(byte[] input, string expected)
    {
        var error = Assert.Throws<InvalidDetectFrameException>(() => detector.Detect(input, null));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_frames_over_the_byte_limit()
    {
        var limited = new MotionDetector(new MotionDetectorSettings(maxFrameBytes: 100));

        var error = Assert.Throws<InvalidDetectFrameException>(() => limited.Detect(frames.Png(0), null));

        Assert.Contains("over the limit of 100 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_HOG_people_detector_loads_from_the_runtime_and_finds_nobody_in_an_empty_scene()
    {
        var withPeople = new MotionDetector(new MotionDetectorSettings(detectPeople: true));
        using var empty = new Mat(240, 320, MatType.CV_8UC1, new Scalar(128));
        Cv2.ImEncode(".png", empty, out var png);

        var result = withPeople.Detect(png, null);

        Assert.Equal(3781, PeopleDetector.DefaultDetectorLength); // 3780 HOG weights + bias
        Assert.Empty(result.People);
    }

    private static Rect Square(int frame) => new(10 + (frame * 4 % 120), 40, 16, 30);

    private BackgroundModel WarmUp()
    {
        BackgroundModel? model = null;
        for (var i = 0; i < Warmup; i++)
        {
            model = detector.Detect(frames.Png(i), model).Model;
        }

        return model!;
    }
}
