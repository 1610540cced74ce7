namespace Skylark.Events.Functions.Detect;

/// <summary>
/// One frame's detections, in the preprocessed frame's pixels (<see cref="Width"/> × <see cref="Height"/>): the
/// <c>result</c> item of <c>detect.result</c> and the result in detect's reply. Alarm reads it.
/// </summary>
/// <param name="Camera">The camera.</param>
/// <param name="Seq">The camera's frame number, when preprocess knew it.</param>
/// <param name="Width">Width of the frame the boxes refer to.</param>
/// <param name="Height">Height of the frame the boxes refer to.</param>
/// <param name="Detected">True when <see cref="Detections"/> or <see cref="People"/> is not empty.</param>
/// <param name="WarmingUp">The model is still learning; no motion is reported yet.</param>
/// <param name="ModelReset">A new model was started (first frame, frame size changed, or the stored one was unusable).</param>
/// <param name="ModelFrames">Frames the stored model has learned, this one included.</param>
/// <param name="ModelDiscarded">Why the stored model was discarded, when it was unreadable; otherwise null.</param>
/// <param name="Detections">Moving objects, largest first.</param>
/// <param name="People">HOG people detections, when enabled.</param>
public sealed record DetectResult(
    string Camera,
    long? Seq,
    int Width,
    int Height,
    bool Detected,
    bool WarmingUp,
    bool ModelReset,
    long ModelFrames,
    string? ModelDiscarded,
    IReadOnlyList<DetectionBox> Detections,
    IReadOnlyList<DetectionBox> People);

/// <summary>A detected object's box (top-left <see cref="X"/>, <see cref="Y"/>) and changed-pixel area.</summary>
public sealed record DetectionBox(int X, int Y, int Width, int Height, double Area);
