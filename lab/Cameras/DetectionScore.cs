namespace Skylark.Events.Lab.Cameras;

/// <summary>Detection quality summed over frames (micro-averaged: every object and detection counts once).</summary>
public sealed record DetectionScore(int Frames, int TruePositives, int FalsePositives, int FalseNegatives)
{
    public static DetectionScore Empty { get; } = new(0, 0, 0, 0);

    /// <summary>Fraction of detections that matched an object; 1 when nothing was detected.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Fraction of objects that were detected; 1 when there was nothing to detect.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    public static DetectionScore Aggregate(IEnumerable<FrameScore> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return frames.Aggregate(Empty, static (total, frame) => total.Add(frame));
    }

    public DetectionScore Add(FrameScore frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return new DetectionScore(
            Frames + 1,
            TruePositives + frame.TruePositives,
            FalsePositives + frame.FalsePositives,
            FalseNegatives + frame.FalseNegatives);
    }

    public override string ToString() =>
        $"{Frames} frames: TP {TruePositives}, FP {FalsePositives}, FN {FalseNegatives}, precision {Precision:F3}, recall {Recall:F3}";

    internal static double Ratio(int part, int whole) => whole == 0 ? 1.0 : (double)part / whole;
}
