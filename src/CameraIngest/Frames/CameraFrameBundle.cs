namespace Skylark.Events.CameraIngest.Frames;

/// <summary>
/// The bundle a camera frame is stored as on the ingesting node (claim check): <c>io.skylark.camera.frame</c>'s
/// <c>statekey</c> names it, and the first function reads the pixels from it instead of from the event.
/// </summary>
public static class CameraFrameBundle
{
    /// <summary>Owned by the <c>ingest</c> function.</summary>
    public const string Name = "ingest.frame";

    /// <summary>
    /// The encoded frame exactly as the camera sent it, under the item name preprocess reads (its own
    /// <c>CameraFrameBundle.ImageItem</c>; a service does not reference another, so a test holds the two equal).
    /// </summary>
    public const string ImageItem = "image";

    /// <summary>The media type of <see cref="ImageItem"/> (always <c>image/jpeg</c> today).</summary>
    public const string ContentTypeItem = "contentType";

    /// <summary>The <c>CameraFrame</c> payload as JSON, so the bundle describes itself without the event.</summary>
    public const string FrameItem = "frame";

    public const string JpegContentType = "image/jpeg";
}
