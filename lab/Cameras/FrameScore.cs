namespace Skylark.Events.Lab.Cameras;

/// <summary>How one frame's detections compare with its ground truth.</summary>
public sealed record FrameScore(long Seq, int TruePositives, int FalsePositives, int FalseNegatives)
{
    /// <summary>Fraction of detections that matched an object; 1 when nothing was detected.</summary>
    public double Precision => DetectionScore.Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Fraction of objects that were detected; 1 when there was nothing to detect.</summary>
    public double Recall => DetectionScore.Ratio(TruePositives, TruePositives + FalseNegatives);
}
