using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.Lab.Cameras;

namespace Skylark.Events.Tests.Lab.Cameras;

public class DetectionScorerTests
{
    private static Detection Detected(int x, int y, int width, int height) => new(new BoundingBox(x, y, width, height), width * height);

    [Fact]
    public void Scales_ground_truth_from_camera_pixels_to_detection_pixels()
    {
        var scorer = new DetectionScorer(640, 480, 320, 240);
        var truth = new GroundTruth(7, [new BoundingBox(100, 100, 40, 80)]);

        var hit = scorer.ScoreFrame(truth, [Detected(50, 50, 20, 40)]);
        var unscaled = scorer.ScoreFrame(truth, [Detected(100, 100, 40, 80)]);

        Assert.Equal(new FrameScore(7, 1, 0, 0), hit);
        Assert.Equal(new FrameScore(7, 0, 1, 1), unscaled);
    }

    [Fact]
    public void A_match_needs_an_IoU_of_at_least_the_threshold()
    {
        var scorer = new DetectionScorer(100, 100, 100, 100);
        var truth = new GroundTruth(0, [new BoundingBox(0, 0, 20, 10)]);

        // Overlap 10x10 of a union 300: IoU 1/3 passes 0.3; overlap 5x10 of a union 350 (0.14) does not.
        Assert.Equal(1, scorer.ScoreFrame(truth, [Detected(10, 0, 20, 10)]).TruePositives);
        Assert.Equal(0, scorer.ScoreFrame(truth, [Detected(15, 0, 20, 10)]).TruePositives);
    }

    [Fact]
    public void Each_object_and_each_detection_is_matched_at_most_once_best_IoU_first()
    {
        var scorer = new DetectionScorer(100, 100, 100, 100);
        var truth = new GroundTruth(0, [new BoundingBox(0, 0, 20, 20), new BoundingBox(30, 0, 20, 20)]);

        // One detection covering the first object exactly plus a duplicate: one TP, one FP, the second object missed.
        var score = scorer.ScoreFrame(truth, [Detected(2, 0, 20, 20), Detected(0, 0, 20, 20)]);

        Assert.Equal(new FrameScore(0, 1, 1, 1), score);
        Assert.Equal(0.5, score.Precision);
        Assert.Equal(0.5, score.Recall);
    }

    [Fact]
    public void A_detection_spanning_two_objects_matches_neither_when_the_overlap_is_too_small()
    {
        var truth = new[] { new BoundingBox(0, 0, 10, 40), new BoundingBox(30, 0, 10, 40) };

        Assert.Equal(0, DetectionScorer.Match(truth, [new BoundingBox(0, 0, 40, 40)], 0.3));
    }

    [Fact]
    public void Aggregates_frames_into_precision_and_recall()
    {
        var total = DetectionScore.Aggregate([new FrameScore(0, 2, 0, 0), new FrameScore(1, 1, 1, 1), new FrameScore(2, 0, 0, 0)]);

        Assert.Equal(new DetectionScore(3, 3, 1, 1), total);
        Assert.Equal(0.75, total.Precision);
        Assert.Equal(0.75, total.Recall);
    }

    [Fact]
    public void Nothing_to_find_and_nothing_found_scores_perfectly()
    {
        var score = new DetectionScorer(10, 10, 10, 10).ScoreFrame(new GroundTruth(0, []), []);

        Assert.Equal((1.0, 1.0), (score.Precision, score.Recall));
        Assert.Equal((1.0, 1.0), (DetectionScore.Empty.Precision, DetectionScore.Empty.Recall));
    }
}
