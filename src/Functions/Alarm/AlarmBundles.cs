using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// The bundles alarm owns:
/// <list type="bullet">
/// <item><c>{node}/camera-{camera}/alarm.state</c>: debounce and cooldown state (item <c>state</c>, <see cref="AlarmState"/> JSON).</item>
/// <item><c>{node}/camera-{camera}/alarm.history</c>: the last alarms raised, oldest first, at most
/// <see cref="AlarmSettings.HistoryLength"/> (item <c>history</c>, JSON array of <see cref="AlarmNotice"/>).</item>
/// <item><c>{node}/camera-{camera}/alarm.settings</c>: optional per-camera policy (item <c>settings</c>, <see cref="AlarmSettings"/> JSON).</item>
/// <item><c>{node}/{workflowid}/alarm.result</c>: the verdict on one frame (item <c>result</c>, <see cref="AlarmOutcome"/>
/// JSON); the <c>statekey</c> of alarm's reply.</item>
/// </list>
/// Alarm reads detect's <c>detect.result</c> (item <c>result</c>).
/// </summary>
public static class AlarmBundles
{
    public const string Function = "alarm";
    public const string State = "alarm.state";
    public const string History = "alarm.history";
    public const string Settings = "alarm.settings";
    public const string Result = "alarm.result";
    public const string StateItem = "state";
    public const string HistoryItem = "history";
    public const string SettingsItem = "settings";
    public const string ResultItem = "result";

    /// <summary>The item of detect's <c>detect.result</c> holding its JSON.</summary>
    public const string DetectResultItem = "result";

    /// <summary>The JPEG of the frame around the detections, in detect's result bundle when something was detected.</summary>
    public const string DetectCropItem = "crop";

    public static StateRef StateRef(string node, string camera) => CameraStreams.Ref(node, camera, State);

    public static StateRef HistoryRef(string node, string camera) => CameraStreams.Ref(node, camera, History);

    public static StateRef SettingsRef(string node, string camera) => CameraStreams.Ref(node, camera, Settings);

    public static BundleItems SettingsItems(AlarmSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return BundleItems.CreateBuilder().Add(SettingsItem, BundleJson.Serialize(settings)).Build();
    }
}
