namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// The part of detect's <c>detect.result</c> (item <c>result</c>, camelCase JSON) the alarm needs: which boxes, in a
/// frame of which size. Read by name, so detect may add fields.
/// </summary>
public sealed record DetectReport(
    string Camera,
    long? Seq,
    int Width,
    int Height,
    IReadOnlyList<DetectedBox>? Detections,
    IReadOnlyList<DetectedBox>? People)
{
    public IEnumerable<DetectedBox> AllBoxes => (Detections ?? []).Concat(People ?? []);
}

/// <summary>A detection's box, top-left corner <see cref="X"/>, <see cref="Y"/>.</summary>
public sealed record DetectedBox(int X, int Y, int Width, int Height);
