using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Lab.Cameras;

/// <summary>
/// Scores detections against ground truth. Ground truth is in camera-frame pixels and detections are in the
/// preprocessed frame's pixels, so truth boxes are scaled by detect size / camera size before matching. A detection
/// matches an object when their IoU is at least the threshold; pairs are taken greedily, best IoU first, each used once.
/// </summary>
public sealed class DetectionScorer
{
    public const double DefaultIouThreshold = 0.3;

    private readonly double scaleX;
    private readonly double scaleY;

    public DetectionScorer(int cameraWidth, int cameraHeight, int detectWidth, int detectHeight, double iouThreshold = DefaultIouThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cameraWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cameraHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(detectWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(detectHeight, 1);
        if (!(iouThreshold > 0 && iouThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "The IoU threshold must be in (0, 1].");
        }

        scaleX = (double)detectWidth / cameraWidth;
        scaleY = (double)detectHeight / cameraHeight;
        IouThreshold = iouThreshold;
    }

    public double IouThreshold { get; }

    public FrameScore ScoreFrame(GroundTruth truth, IReadOnlyList<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(detections);
        var objects = truth.Boxes.Select(box => box.Scale(scaleX, scaleY)).ToList();
        var matched = Match(objects, [.. detections.Select(d => d.Box)], IouThreshold);
        return new FrameScore(truth.Seq, matched, detections.Count - matched, objects.Count - matched);
    }

    /// <summary>Number of greedy one-to-one matches with IoU at least <paramref name="iouThreshold"/>.</summary>
    public static int Match(IReadOnlyList<BoundingBox> truth, IReadOnlyList<BoundingBox> detected, double iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(detected);
        var candidates = new List<(double Iou, int Truth, int Detected)>();
        for (var t = 0; t < truth.Count; t++)
        {
            for (var d = 0; d < detected.Count; d++)
            {
                var iou = truth[t].IntersectionOverUnion(detected[d]);
                if (iou >= iouThreshold)
                {
                    candidates.Add((iou, t, d));
                }
            }
        }

        // Best IoU first; indices break ties so the result never depends on sort stability.
        candidates.Sort(static (a, b) =>
        {
            var byIou = b.Iou.CompareTo(a.Iou);
            return byIou != 0 ? byIou : (a.Truth, a.Detected).CompareTo((b.Truth, b.Detected));
        });
        var truthUsed = new bool[truth.Count];
        var detectedUsed = new bool[detected.Count];
        var matches = 0;
        foreach (var (_, t, d) in candidates)
        {
            if (!truthUsed[t] && !detectedUsed[d])
            {
                truthUsed[t] = detectedUsed[d] = true;
                matches++;
            }
        }

        return matches;
    }
}
