using Skylark.Events.Functions.Preprocess.Imaging;

namespace Skylark.Events.Functions.Preprocess;

public sealed class PreprocessFunctionOptions
{
    /// <summary>Settings for cameras without a <c>preprocess.settings</c> bundle.</summary>
    public PreprocessSettings DefaultSettings { get; set; } = PreprocessSettings.Default;

    /// <summary>TTL of each <c>preprocess.frame</c>; null for the state default.</summary>
    public TimeSpan? OutputTimeToLive { get; set; }
}
