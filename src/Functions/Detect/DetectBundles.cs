using Skylark.Events.Contracts;
using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Detect;

/// <summary>
/// The bundles detect owns:
/// <list type="bullet">
/// <item><c>{node}/camera-{camera}/detect.background</c>: the camera's background model (item <c>model</c>,
/// <see cref="BackgroundModel.ToBytes"/>), read and rewritten every frame: the long-lived stream state.</item>
/// <item><c>{node}/{workflowid}/detect.result</c>: the detections of one frame (item <c>result</c>,
/// <see cref="DetectResult"/> JSON) and, when something was detected, item <c>crop</c>: the part of the frame around
/// the detections as a JPEG (<see cref="FrameCrop"/>), which alarm sends to operators; the <c>statekey</c> of detect's
/// reply.</item>
/// <item><c>{node}/camera-{camera}/detect.settings</c>: optional per-camera configuration (item <c>settings</c>,
/// <see cref="MotionDetectorSettings"/> JSON).</item>
/// </list>
/// Detect reads preprocess's <c>preprocess.frame</c> (items <c>image</c> and <c>meta</c>).
/// </summary>
public static class DetectBundles
{
    public const string Function = "detect";
    public const string Background = "detect.background";
    public const string Result = "detect.result";
    public const string Settings = "detect.settings";
    public const string ModelItem = "model";
    public const string ResultItem = "result";
    public const string CropItem = "crop";
    public const string SettingsItem = "settings";

    /// <summary>Items of preprocess's output bundle (the contract between the two functions).</summary>
    public const string FrameImageItem = "image";
    public const string FrameMetaItem = "meta";

    public static StateRef BackgroundRef(string node, string camera) => CameraStreams.Ref(node, camera, Background);

    public static StateRef SettingsRef(string node, string camera) => CameraStreams.Ref(node, camera, Settings);

    public static BundleItems SettingsItems(MotionDetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return BundleItems.CreateBuilder().Add(SettingsItem, BundleJson.Serialize(settings)).Build();
    }
}
