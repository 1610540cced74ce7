using Skylark.Events.State;

namespace Skylark.Events.Functions.Preprocess;

/// <summary>
/// The bundle a camera (or its bridge) writes for each frame before announcing it with <c>io.skylark.camera.frame</c>
/// (claim check): conventionally <c>{node}/{workflowid}/camera.frame</c>, the encoded JPEG or PNG in item <c>image</c>.
/// Preprocess reads whatever bundle the event's <c>statekey</c> names; a bundle with a single item is read as the image
/// whatever that item is called.
/// </summary>
public static class CameraFrameBundle
{
    public const string Name = "camera.frame";
    public const string ImageItem = "image";

    public static BundleItems Create(ReadOnlyMemory<byte> image) =>
        BundleItems.CreateBuilder().Add(ImageItem, image).Build();
}
