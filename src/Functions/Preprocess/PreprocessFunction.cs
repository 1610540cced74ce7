using Microsoft.Extensions.Options;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Preprocess;

/// <summary>
/// On <c>io.skylark.camera.frame</c>: reads the frame bundle named by <c>statekey</c> (wherever it is) fused with the
/// camera's <c>preprocess.settings</c>, converts the frame (grayscale, resize, denoise, encode), writes
/// <c>preprocess.frame</c> on this node and replies completed with that bundle as <c>statekey</c>.
/// </summary>
public sealed class PreprocessFunction
{
    private readonly PreprocessFunctionOptions _options;

    public PreprocessFunction(FunctionRuntime runtime, IOptions<PreprocessFunctionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(options);
        Runtime = runtime;
        _options = options.Value;
        ArgumentNullException.ThrowIfNull(_options.DefaultSettings, "PreprocessFunctionOptions.DefaultSettings");
    }

    public FunctionRuntime Runtime { get; }

    public async Task<FunctionResult> HandleAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        invocation.RequireType(EventTypes.CameraFrame);
        var camera = invocation.RequireCamera();
        var frameRef = invocation.RequireStateKey();
        var settingsRef = PreprocessBundles.SettingsRef(invocation.Node, camera);

        IReadOnlyList<Bundle?> bundles;
        try
        {
            bundles = await invocation.ReadManyAsync([frameRef], [settingsRef], cancellationToken);
        }
        catch (StateNotFoundException notFound) when (notFound.StateRef == frameRef && invocation.IsDefinitelyMissing(notFound))
        {
            throw new FunctionInputException(
                $"Unknown camera '{camera}' or expired frame: its frame bundle does not exist. {notFound.Message}", notFound);
        }

        var frame = bundles[0]!;
        var settings = bundles[1] is { } configured
            ? BundleJson.Read<PreprocessSettings>(configured, PreprocessBundles.SettingsItem, $"preprocess settings of camera '{camera}'")
            : _options.DefaultSettings;

        PreprocessedFrame processed;
        try
        {
            processed = FramePreprocessor.Process(FrameImage(frame), settings);
        }
        catch (InvalidFrameException invalid)
        {
            throw new FunctionInputException($"Frame '{frameRef}' of camera '{camera}' was refused: {invalid.Message}", invalid);
        }

        var info = new PreprocessedFrameInfo(
            camera,
            invocation.TryGetData<CameraFrame>()?.Seq,
            processed.Width,
            processed.Height,
            processed.SourceWidth,
            processed.SourceHeight,
            processed.ContentType,
            processed.Image.Length,
            DefaultSettings: bundles[1] is null);
        var output = invocation.OutputRef(PreprocessBundles.Frame);
        var items = BundleItems.CreateBuilder()
            .Add(PreprocessBundles.ImageItem, processed.Image)
            .Add(PreprocessBundles.MetaItem, BundleJson.Serialize(info))
            .Build();
        await invocation.WriteAsync(output, items, _options.OutputTimeToLive, cancellationToken);
        return FunctionResult.Completed(output, info);
    }

    private static ReadOnlyMemory<byte> FrameImage(Bundle frame)
    {
        if (frame.Items.TryGetValue(CameraFrameBundle.ImageItem, out var image))
        {
            return image;
        }

        if (frame.Items.Count == 1)
        {
            return frame.Items.Values.First();
        }

        throw new FunctionInputException(
            $"Frame bundle '{frame.StateRef}' has no '{CameraFrameBundle.ImageItem}' item; it has: {string.Join(", ", frame.Items.Keys.Order(StringComparer.Ordinal))}.");
    }
}
