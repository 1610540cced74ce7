using System.Text.Json;
using Microsoft.Extensions.Options;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Detect.Vision;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Detect;

/// <summary>
/// On preprocess's <c>io.skylark.function.completed</c>: reads the preprocessed frame (<c>statekey</c>, wherever it
/// is) fused with the camera's background model and settings, detects motion, writes the updated model and
/// <c>detect.result</c>, and replies completed with <c>detected</c> = <c>true</c>|<c>false</c>.
/// Deliveries for one camera are serialized on this instance so concurrent frames do not lose model updates.
/// </summary>
public sealed partial class DetectFunction
{
    private readonly DetectFunctionOptions _options;
    private readonly KeyedAsyncLock _cameras = new();
    private readonly ILogger _logger;

    public DetectFunction(FunctionRuntime runtime, IOptions<DetectFunctionOptions> options, ILogger<DetectFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Runtime = runtime;
        _options = options.Value;
        ArgumentNullException.ThrowIfNull(_options.DefaultSettings, "DetectFunctionOptions.DefaultSettings");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.ModelTimeToLive, TimeSpan.Zero, "DetectFunctionOptions.ModelTimeToLive");
        _logger = logger;
    }

    public FunctionRuntime Runtime { get; }

    public async Task<FunctionResult> HandleAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        invocation.RequireType(EventTypes.FunctionCompleted);
        var producer = invocation.RequireExtension(ExtensionNames.Function);
        if (producer != "preprocess")
        {
            throw new FunctionInputException($"Detect consumes completions of function 'preprocess', not of '{producer}'.");
        }

        var camera = invocation.RequireCamera();
        var frameRef = invocation.RequireStateKey();
        var modelRef = DetectBundles.BackgroundRef(invocation.Node, camera);
        var settingsRef = DetectBundles.SettingsRef(invocation.Node, camera);

        using var held = await _cameras.AcquireAsync(camera, cancellationToken);
        IReadOnlyList<Bundle?> bundles;
        try
        {
            bundles = await invocation.ReadManyAsync([frameRef], [modelRef, settingsRef], cancellationToken);
        }
        catch (StateNotFoundException notFound) when (notFound.StateRef == frameRef && invocation.IsDefinitelyMissing(notFound))
        {
            throw new FunctionInputException($"The preprocessed frame of camera '{camera}' does not exist (expired?). {notFound.Message}", notFound);
        }

        var frame = bundles[0]!;
        var settings = bundles[2] is { } configured
            ? BundleJson.Read<MotionDetectorSettings>(configured, DetectBundles.SettingsItem, $"detect settings of camera '{camera}'")
            : _options.DefaultSettings;
        if (!frame.Items.TryGetValue(DetectBundles.FrameImageItem, out var image))
        {
            throw new FunctionInputException(
                $"Preprocessed frame '{frameRef}' has no '{DetectBundles.FrameImageItem}' item; it has: {string.Join(", ", frame.Items.Keys.Order(StringComparer.Ordinal))}.");
        }

        var (model, discarded) = ReadModel(bundles[1], camera);
        MotionDetectionResult detection;
        try
        {
            detection = new MotionDetector(settings).Detect(image, model);
        }
        catch (InvalidDetectFrameException invalid)
        {
            throw new FunctionInputException($"Preprocessed frame '{frameRef}' of camera '{camera}' was refused: {invalid.Message}", invalid);
        }

        var result = new DetectResult(
            camera,
            ReadSeq(frame),
            detection.Model.Width,
            detection.Model.Height,
            detection.Detections.Count > 0 || detection.People.Count > 0,
            detection.WarmingUp,
            detection.ModelReset || discarded is not null,
            detection.Model.FramesSeen,
            discarded,
            [.. detection.Detections.Select(ToBox)],
            [.. detection.People.Select(ToBox)]);

        // The reply follows only once both are stored. A retry after a failed result write learns this frame twice,
        // which a running average tolerates; losing the model update would cost a whole warm-up.
        await invocation.WriteAsync(
            modelRef,
            BundleItems.CreateBuilder().Add(DetectBundles.ModelItem, detection.Model.ToBytes()).Build(),
            _options.ModelTimeToLive,
            cancellationToken);
        var output = invocation.OutputRef(DetectBundles.Result);
        var items = BundleItems.CreateBuilder().Add(DetectBundles.ResultItem, BundleJson.Serialize(result));
        if (FrameCrop.Encode(image.Span, [.. detection.Detections.Concat(detection.People).Select(d => d.Box)]) is { } crop)
        {
            items.Add(DetectBundles.CropItem, crop);
        }

        await invocation.WriteAsync(
            output,
            items.Build(),
            _options.OutputTimeToLive,
            cancellationToken);
        return FunctionResult.Completed(output, result)
            .WithExtension(ExtensionNames.Detected, result.Detected ? "true" : "false");
    }

    /// <summary>An unreadable model is not the event's fault and not worth a dead letter: start a new one and say so.</summary>
    private (BackgroundModel? Model, string? Discarded) ReadModel(Bundle? bundle, string camera)
    {
        if (bundle is null)
        {
            return (null, null);
        }

        if (!bundle.Items.TryGetValue(DetectBundles.ModelItem, out var bytes))
        {
            var reason = $"bundle '{bundle.StateRef}' has no '{DetectBundles.ModelItem}' item";
            LogModelDiscarded(camera, reason);
            return (null, reason);
        }

        try
        {
            return (BackgroundModel.FromBytes(bytes.Span), null);
        }
        catch (InvalidBackgroundModelException invalid)
        {
            LogModelDiscarded(camera, invalid.Message);
            return (null, invalid.Message);
        }
    }

    private static long? ReadSeq(Bundle frame)
    {
        if (!frame.Items.TryGetValue(DetectBundles.FrameMetaItem, out var meta))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<FrameMeta>(meta.Span, ContractJson.Options)?.Seq;
        }
        catch (JsonException)
        {
            return null; // The sequence number is informative only.
        }
    }

    private static DetectionBox ToBox(Detection detection) =>
        new(detection.Box.X, detection.Box.Y, detection.Box.Width, detection.Box.Height, detection.Area);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background model of camera {Camera} is unusable and was discarded: {Reason}")]
    private partial void LogModelDiscarded(string camera, string reason);

    private sealed record FrameMeta(long? Seq);
}
