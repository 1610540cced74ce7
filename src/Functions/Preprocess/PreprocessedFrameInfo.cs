namespace Skylark.Events.Functions.Preprocess;

/// <summary>
/// What preprocess made of one camera frame: stored as the <c>meta</c> item of <c>preprocess.frame</c> and reported as
/// the result in its reply. <see cref="Seq"/> is the camera's frame number when the event's data carried it.
/// </summary>
public sealed record PreprocessedFrameInfo(
    string Camera,
    long? Seq,
    int Width,
    int Height,
    int SourceWidth,
    int SourceHeight,
    string ContentType,
    long Bytes,
    bool DefaultSettings);
