using Skylark.Events.Contracts;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Preprocess;

/// <summary>
/// The bundles preprocess owns:
/// <list type="bullet">
/// <item><c>{node}/{workflowid}/preprocess.frame</c>, its output per frame: item <c>image</c> (the encoded grayscale
/// frame) and item <c>meta</c> (<see cref="PreprocessedFrameInfo"/> JSON).</item>
/// <item><c>{node}/camera-{camera}/preprocess.settings</c>, optional per-camera configuration: item <c>settings</c>
/// (<see cref="PreprocessSettings"/> JSON). Absent means <see cref="PreprocessFunctionOptions.DefaultSettings"/>.</item>
/// </list>
/// </summary>
public static class PreprocessBundles
{
    public const string Function = "preprocess";
    public const string Frame = "preprocess.frame";
    public const string Settings = "preprocess.settings";
    public const string ImageItem = "image";
    public const string MetaItem = "meta";
    public const string SettingsItem = "settings";

    public static StateRef SettingsRef(string node, string camera) => CameraStreams.Ref(node, camera, Settings);

    public static BundleItems SettingsItems(PreprocessSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return BundleItems.CreateBuilder().Add(SettingsItem, BundleJson.Serialize(settings)).Build();
    }
}
