using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Functions.Detect;

public sealed class DetectFunctionOptions
{
    /// <summary>Settings for cameras without a <c>detect.settings</c> bundle.</summary>
    public MotionDetectorSettings DefaultSettings { get; set; } = MotionDetectorSettings.Default;

    /// <summary>TTL of the background model, renewed by every frame: a camera silent this long starts over.</summary>
    public TimeSpan ModelTimeToLive { get; set; } = TimeSpan.FromDays(1);

    /// <summary>TTL of each <c>detect.result</c>; null for the state default.</summary>
    public TimeSpan? OutputTimeToLive { get; set; }
}
