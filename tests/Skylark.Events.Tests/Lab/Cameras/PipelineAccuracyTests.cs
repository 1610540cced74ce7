using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.Lab.Cameras;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Cameras;

/// <summary>
/// The edge pipeline end to end on synthetic cameras: 640x480 camera JPEG → preprocess to 320x240 PNG → motion
/// detection with the model passed through its byte form every frame (as the stateless function does) → score.
/// </summary>
public class PipelineAccuracyTests(ITestOutputHelper output)
{
    private const int Warmup = 20;
    private const int Scored = 60;

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(8, 10.0)]
    [InlineData(21, 0.0)]
    public void Finds_two_moving_people_with_precision_and_recall_of_at_least_90_percent(int seed, double drift)
    {
        var scene = new SyntheticScene(seed, new SyntheticSceneOptions(objectCount: 2, brightnessDrift: drift));

        var run = Run(scene);

        output.WriteLine($"seed {seed}, drift {drift}: {run.Score}; model {run.ModelBytes} bytes");
        Assert.Equal(Scored, run.Score.Frames);
        Assert.True(run.Score.TruePositives > 100, run.Score.ToString());
        Assert.True(run.Score.Precision >= 0.9, run.Score.ToString());
        Assert.True(run.Score.Recall >= 0.9, run.Score.ToString());
    }

    [Fact]
    public void An_empty_scene_gives_no_detections_after_warm_up()
    {
        var scene = new SyntheticScene(3, new SyntheticSceneOptions(objectCount: 0, brightnessDrift: 10));

        var run = Run(scene);

        Assert.Equal(0, run.Score.FalsePositives);
        Assert.All(run.Detections, Assert.Empty);
    }

    [Fact]
    public void The_same_seed_gives_the_same_detections()
    {
        var options = new SyntheticSceneOptions(objectCount: 2);

        var first = Run(new SyntheticScene(17, options), scored: 15);
        var second = Run(new SyntheticScene(17, options), scored: 15);

        Assert.Equal(first.Detections.Count, second.Detections.Count);
        for (var i = 0; i < first.Detections.Count; i++)
        {
            Assert.Equal(first.Detections[i], second.Detections[i]);
        }

        Assert.Contains(first.Detections, d => d.Count > 0);
    }

    private static PipelineRun Run(SyntheticScene scene, int scored = Scored)
    {
        var preprocess = PreprocessSettings.Default;
        var detector = new MotionDetector(new MotionDetectorSettings(warmupFrames: Warmup));
        var scorer = new DetectionScorer(scene.Width, scene.Height, preprocess.TargetWidth, preprocess.TargetHeight);
        byte[]? stored = null;
        var score = DetectionScore.Empty;
        var detections = new List<IReadOnlyList<Detection>>();
        for (var seq = 0; seq < Warmup + scored; seq++)
        {
            var (jpeg, truth) = scene.RenderFrame(seq);
            var frame = FramePreprocessor.Process(jpeg, preprocess);
            var result = detector.Detect(frame.Image, stored is null ? null : BackgroundModel.FromBytes(stored));
            stored = result.Model.ToBytes();
            if (!result.WarmingUp)
            {
                detections.Add(result.Detections);
                score = score.Add(scorer.ScoreFrame(truth, result.Detections));
            }
        }

        return new PipelineRun(score, detections, stored!.Length);
    }

    private sealed record PipelineRun(DetectionScore Score, IReadOnlyList<IReadOnlyList<Detection>> Detections, int ModelBytes);
}
