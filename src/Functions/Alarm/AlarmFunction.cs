using System.Text.Json;
using Microsoft.Extensions.Options;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// On detect's <c>io.skylark.function.completed</c>: reads the detect result (<c>statekey</c>) fused with the camera's
/// alarm state, history and settings; decides per zone (debounce, cooldown; see <see cref="AlarmSettings"/>); on an
/// alarm publishes an <see cref="AlarmNotice"/>, appends it to the history and replies <c>io.skylark.alarm.raised</c>,
/// otherwise replies completed. A redelivery (same workflow) is answered as before and changes nothing.
/// </summary>
public sealed partial class AlarmFunction
{
    private readonly AlarmFunctionOptions _options;
    private readonly IAlarmPublisher _publisher;
    private readonly KeyedAsyncLock _cameras = new();
    private readonly ILogger _logger;

    public AlarmFunction(FunctionRuntime runtime, IAlarmPublisher publisher, IOptions<AlarmFunctionOptions> options, ILogger<AlarmFunction> logger)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Runtime = runtime;
        _publisher = publisher;
        _options = options.Value;
        ArgumentNullException.ThrowIfNull(_options.DefaultSettings, "AlarmFunctionOptions.DefaultSettings");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.StreamTimeToLive, TimeSpan.Zero, "AlarmFunctionOptions.StreamTimeToLive");
        _logger = logger;
    }

    public FunctionRuntime Runtime { get; }

    public async Task<FunctionResult> HandleAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        invocation.RequireType(EventTypes.FunctionCompleted);
        var producer = invocation.RequireExtension(ExtensionNames.Function);
        if (producer != "detect")
        {
            throw new FunctionInputException($"Alarm consumes completions of function 'detect', not of '{producer}'.");
        }

        var detected = invocation.RequireExtension(ExtensionNames.Detected);
        if (detected is not ("true" or "false"))
        {
            throw new FunctionInputException($"Extension 'detected' must be 'true' or 'false', not '{detected}'.");
        }

        var camera = invocation.RequireCamera();
        var detectRef = invocation.RequireStateKey();
        var stateRef = AlarmBundles.StateRef(invocation.Node, camera);
        var historyRef = AlarmBundles.HistoryRef(invocation.Node, camera);
        var settingsRef = AlarmBundles.SettingsRef(invocation.Node, camera);
        var output = invocation.OutputRef(AlarmBundles.Result);

        using var held = await _cameras.AcquireAsync(camera, cancellationToken);
        IReadOnlyList<Bundle?> bundles;
        try
        {
            bundles = await invocation.ReadManyAsync([detectRef], [stateRef, settingsRef, historyRef, output], cancellationToken);
        }
        catch (StateNotFoundException notFound) when (notFound.StateRef == detectRef && invocation.IsDefinitelyMissing(notFound))
        {
            throw new FunctionInputException($"The detect result of camera '{camera}' does not exist (expired?). {notFound.Message}", notFound);
        }

        var report = BundleJson.Read<DetectReport>(bundles[0]!, AlarmBundles.DetectResultItem, $"detect result of camera '{camera}'");
        if (!string.Equals(report.Camera, camera, StringComparison.Ordinal) || report.Width < 1 || report.Height < 1)
        {
            throw new FunctionInputException(
                $"Detect result '{detectRef}' is for camera '{report.Camera}' with a {report.Width}x{report.Height} frame; expected camera '{camera}' and a frame size.");
        }

        // This workflow was answered before: a redelivery (Knative may have lost the reply). Answer the same, change nothing.
        if (ReadOrReset<AlarmOutcome>(bundles[4], AlarmBundles.ResultItem, camera) is { } answered)
        {
            return Reply(output, answered);
        }

        var settings = bundles[2] is { } configured
            ? BundleJson.Read<AlarmSettings>(configured, AlarmBundles.SettingsItem, $"alarm settings of camera '{camera}'")
            : _options.DefaultSettings;
        var state = ReadOrReset<AlarmState>(bundles[1], AlarmBundles.StateItem, camera) ?? AlarmState.Empty;
        var now = invocation.Time.GetUtcNow();
        var zones = AlarmZones.Of(report.AllBoxes, report.Width, report.Height, settings);
        var decision = AlarmDebouncer.Decide(state, settings, new AlarmObservation(invocation.WorkflowId, now, zones), now);

        if (decision.Duplicate)
        {
            // Counted before, but its answer was not stored (the result write failed): say so, count nothing.
            var duplicate = new AlarmOutcome(camera, Raised: false, Duplicate: true, [], null);
            await invocation.WriteAsync(output, Items(AlarmBundles.ResultItem, duplicate), _options.OutputTimeToLive, cancellationToken);
            return Reply(output, duplicate);
        }

        AlarmNotice? notice = null;
        if (decision.Raised.Count > 0)
        {
            var inRaisedZones = report.AllBoxes
                .Where(b => decision.Raised.Contains(AlarmZones.Of(b, report.Width, report.Height, settings), StringComparer.Ordinal))
                .ToList();
            notice = new AlarmNotice(
                camera, invocation.WorkflowId, report.Seq, decision.Raised, inRaisedZones, report.Width, report.Height, now, invocation.Node, detectRef);
            var snapshot = bundles[0]!.Items.TryGetValue(AlarmBundles.DetectCropItem, out var crop) ? crop.ToArray() : null;
            await PublishAsync(notice with { Snapshot = snapshot }, cancellationToken);

            // Appended before the state is stored: if the state write fails, the retry is not a duplicate and appends
            // again, so the history skips a notice of a workflow it already holds.
            var history = ReadOrReset<List<AlarmNotice>>(bundles[3], AlarmBundles.HistoryItem, camera) ?? [];
            if (!history.Any(n => n.WorkflowId == notice.WorkflowId))
            {
                history.Add(notice);
            }

            if (history.Count > settings.HistoryLength)
            {
                history.RemoveRange(0, history.Count - settings.HistoryLength);
            }

            await invocation.WriteAsync(historyRef, Items(AlarmBundles.HistoryItem, history), _options.StreamTimeToLive, cancellationToken);
        }

        await invocation.WriteAsync(stateRef, Items(AlarmBundles.StateItem, decision.State), _options.StreamTimeToLive, cancellationToken);
        var outcome = new AlarmOutcome(camera, notice is not null, Duplicate: false, decision.Zones, notice);
        await invocation.WriteAsync(output, Items(AlarmBundles.ResultItem, outcome), _options.OutputTimeToLive, cancellationToken);
        return Reply(output, outcome);
    }

    private static FunctionResult Reply(StateRef output, AlarmOutcome outcome) =>
        outcome.Raised
            ? FunctionResult.Event(EventTypes.AlarmRaised, EventSources.Alarm, output, outcome)
            : FunctionResult.Completed(output, outcome);

    private async Task PublishAsync(AlarmNotice notice, CancellationToken cancellationToken)
    {
        try
        {
            await _publisher.PublishAsync(notice, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new FunctionUnavailableException($"The alarm for camera '{notice.Camera}' could not be published: {error.Message}", error);
        }
    }

    /// <summary>Unreadable own state is not the event's fault: start over (and say so) rather than dead-letter every frame.</summary>
    private T? ReadOrReset<T>(Bundle? bundle, string item, string camera)
        where T : class
    {
        if (bundle is null)
        {
            return null;
        }

        try
        {
            return bundle.Items.TryGetValue(item, out var bytes)
                ? JsonSerializer.Deserialize<T>(bytes.Span, ContractJson.Options)
                : throw new JsonException($"no '{item}' item");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            LogStateReset(bundle.StateRef, camera, e.Message);
            return null;
        }
    }

    private static BundleItems Items<T>(string item, T value) => BundleItems.CreateBuilder().Add(item, BundleJson.Serialize(value)).Build();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm bundle {StateRef} of camera {Camera} is unreadable and was reset: {Reason}")]
    private partial void LogStateReset(StateRef stateRef, string camera, string reason);
}
