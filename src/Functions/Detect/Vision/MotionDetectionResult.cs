namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>What one frame produced: detections and the model to store for the next frame.</summary>
/// <param name="Detections">Moving objects, largest first; empty while warming up.</param>
/// <param name="People">HOG people detections; empty unless <see cref="MotionDetectorSettings.DetectPeople"/> is on.</param>
/// <param name="Model">The updated background model; the caller stores it (it is the function's bundled state).</param>
/// <param name="WarmingUp">True while the model has learned fewer than <see cref="MotionDetectorSettings.WarmupFrames"/> frames.</param>
/// <param name="ModelReset">True when there was no usable model (none given, or a different frame size) and a new one was started.</param>
public sealed record MotionDetectionResult(
    IReadOnlyList<Detection> Detections,
    IReadOnlyList<Detection> People,
    BackgroundModel Model,
    bool WarmingUp,
    bool ModelReset);
