using System.Net;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Detect;
using Skylark.Events.State;
using Skylark.Events.Tests.Lab.Cameras;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions.Alarm;

/// <summary>
/// The alarm service driven by detect completions over real HTTP, on a clock the test moves. Frames are 320×240 and the
/// default grid is 3×3, so a box at the top left is in zone r0c0 and one at the bottom right in r2c2.
/// </summary>
public sealed class AlarmFunctionTests(RedisNodes nodes) : IClassFixture<RedisNodes>, IAsyncLifetime
{
    private const string Camera = "cam-1";
    private static readonly DetectionBox TopLeft = new(10, 10, 20, 30, 400);
    private static readonly DetectionBox BottomRight = new(280, 190, 20, 30, 400);

    private readonly string _prefix = RedisServer.NewKeyPrefix();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingAlarmPublisher _publisher = new();
    private FunctionNode _edge = null!;
    private int _frames;

    public async Task InitializeAsync() =>
        _edge = await FunctionNode.StartAsync(nodes.Local, _prefix, s =>
        {
            s.Time = _time;
            s.Publisher = _publisher;
        });

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    private Task ConfigureAsync(AlarmSettings settings) =>
        _edge.Store.WriteAsync(AlarmBundles.SettingsRef("edge-1", Camera), AlarmBundles.SettingsItems(settings));

    /// <summary>Stores a detect result as detect would and delivers detect's completion for it.</summary>
    private Task<FunctionResponse> ObserveAsync(params DetectionBox[] boxes) => ObserveAsync(crop: null, boxes);

    private async Task<FunctionResponse> ObserveAsync(byte[]? crop, params DetectionBox[] boxes)
    {
        var workflowId = $"wf-{++_frames}";
        var result = new StateRef("edge-1", workflowId, DetectBundles.Result);
        var detect = new DetectResult(Camera, _frames, 320, 240, boxes.Length > 0, false, false, 30, null, boxes, []);
        var items = BundleItems.CreateBuilder().AddJson(DetectBundles.ResultItem, detect, ContractJson.Options);
        if (crop is not null)
        {
            items.Add(DetectBundles.CropItem, crop);
        }

        await _edge.Store.WriteAsync(result, items.Build());
        return await _edge.Client.PostAsync("/alarm", FunctionEvents.DetectCompleted(Camera, workflowId, result, boxes.Length > 0));
    }

    private static string Status(FunctionResponse response, string zone) =>
        response.Json.GetProperty("result").GetProperty("zones").EnumerateArray()
            .Single(z => z.GetProperty("zone").GetString() == zone).GetProperty("status").GetString()!;

    private async Task<AlarmState> StateAsync() =>
        (await _edge.Store.ReadAsync(AlarmBundles.StateRef("edge-1", Camera)))!.Items.GetJson<AlarmState>(AlarmBundles.StateItem, ContractJson.Options)!;

    [Fact]
    public async Task A_zone_raises_only_when_enough_of_the_last_detections_are_in_it()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 5, requiredPositives: 3));

        var first = await ObserveAsync(TopLeft);
        var second = await ObserveAsync(TopLeft);
        var third = await ObserveAsync(TopLeft);

        Assert.Equal(EventTypes.FunctionCompleted, first.Event.Type);
        Assert.Equal("debouncing", Status(second, "r0c0"));
        Assert.Equal(2, second.Json.GetProperty("result").GetProperty("zones")[0].GetProperty("positives").GetInt32());
        Assert.Equal(EventTypes.AlarmRaised, third.Event.Type);
        Assert.Equal("/functions/alarm", third.Event.Source!.ToString());
        Assert.Equal(("wf-3", Camera), (third.Extension(ExtensionNames.WorkflowId), third.Extension(ExtensionNames.Camera)));
        Assert.Equal("edge-1/wf-3/alarm.result", third.Extension(ExtensionNames.StateKey));
        var notice = Assert.Single(_publisher.Notices);
        Assert.Equal((Camera, "wf-3", "r0c0", "edge-1/wf-3/detect.result"), (notice.Camera, notice.WorkflowId, Assert.Single(notice.Zones), notice.Evidence.ToString()));
        Assert.Equal(new DetectedBox(10, 10, 20, 30), Assert.Single(notice.Boxes));
        var history = await _edge.Store.ReadAsync(AlarmBundles.HistoryRef("edge-1", Camera));
        Assert.Equal("wf-3", Assert.Single(history!.Items.GetJson<List<AlarmNotice>>(AlarmBundles.HistoryItem, ContractJson.Options)!).WorkflowId);
    }

    [Fact]
    public async Task The_published_notice_carries_the_frame_crop_as_its_snapshot_and_the_history_does_not()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 1, requiredPositives: 1));
        byte[] crop = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];

        var raised = await ObserveAsync(crop, TopLeft);

        Assert.Equal(EventTypes.AlarmRaised, raised.Event.Type);
        Assert.Equal(crop, Assert.Single(_publisher.Notices).Snapshot);
        var history = await _edge.Store.ReadAsync(AlarmBundles.HistoryRef("edge-1", Camera));
        Assert.Null(Assert.Single(history!.Items.GetJson<List<AlarmNotice>>(AlarmBundles.HistoryItem, ContractJson.Options)!).Snapshot);
        Assert.False(raised.Json.GetProperty("result").GetProperty("notice").TryGetProperty("snapshot", out _), "the reply carries the snapshot");
    }

    [Fact]
    public async Task Only_the_last_M_detections_count()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 2, requiredPositives: 2));

        await ObserveAsync(TopLeft);
        await ObserveAsync(BottomRight);
        var third = await ObserveAsync(TopLeft);

        Assert.Equal(EventTypes.FunctionCompleted, third.Event.Type);
        Assert.Equal("debouncing", Status(third, "r0c0"));
        Assert.Empty(_publisher.Notices);
        Assert.Equal(2, (await StateAsync()).Observations.Count);
    }

    [Fact]
    public async Task Detections_older_than_the_window_do_not_count()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 5, requiredPositives: 2, windowSeconds: 10));

        await ObserveAsync(TopLeft);
        _time.Advance(TimeSpan.FromSeconds(11));
        var late = await ObserveAsync(TopLeft);
        _time.Advance(TimeSpan.FromSeconds(5));
        var soon = await ObserveAsync(TopLeft);

        Assert.Equal("debouncing", Status(late, "r0c0"));
        Assert.Equal(EventTypes.AlarmRaised, soon.Event.Type);
    }

    [Fact]
    public async Task Zones_debounce_independently()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 5, requiredPositives: 2));

        await ObserveAsync(TopLeft);
        await ObserveAsync(BottomRight);
        var both = await ObserveAsync(BottomRight, new DetectionBox(150, 100, 20, 30, 400));

        Assert.Equal(EventTypes.AlarmRaised, both.Event.Type);
        Assert.Equal("raised", Status(both, "r2c2"));
        Assert.Equal("debouncing", Status(both, "r1c1"));
        Assert.Equal(["r2c2"], Assert.Single(_publisher.Notices).Zones);
    }

    [Fact]
    public async Task A_zone_that_raised_stays_quiet_until_its_cooldown_has_passed()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 3, requiredPositives: 1, cooldownSeconds: 60));

        var raised = await ObserveAsync(TopLeft);
        _time.Advance(TimeSpan.FromSeconds(30));
        var quiet = await ObserveAsync(TopLeft);
        var other = await ObserveAsync(BottomRight);
        _time.Advance(TimeSpan.FromSeconds(31));
        var again = await ObserveAsync(TopLeft);

        Assert.Equal(EventTypes.AlarmRaised, raised.Event.Type);
        Assert.Equal(EventTypes.FunctionCompleted, quiet.Event.Type);
        Assert.Equal("cooldown", Status(quiet, "r0c0"));
        Assert.Equal(
            _time.GetUtcNow() - TimeSpan.FromSeconds(1),
            quiet.Json.GetProperty("result").GetProperty("zones")[0].GetProperty("cooldownUntil").GetDateTimeOffset());
        Assert.Equal(EventTypes.AlarmRaised, other.Event.Type);
        Assert.Equal(EventTypes.AlarmRaised, again.Event.Type);
        Assert.Equal(["r0c0", "r2c2", "r0c0"], _publisher.Notices.Select(n => n.Zones.Single()));
    }

    [Fact]
    public async Task A_redelivered_event_gets_the_same_answer_and_changes_nothing()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 3, requiredPositives: 1));
        var result = new StateRef("edge-1", "wf-again", DetectBundles.Result);
        var detect = new DetectResult(Camera, 1, 320, 240, true, false, false, 30, null, [TopLeft], []);
        await _edge.Store.WriteAsync(result, BundleItems.CreateBuilder().AddJson(DetectBundles.ResultItem, detect, ContractJson.Options).Build());
        var delivery = FunctionEvents.DetectCompleted(Camera, "wf-again", result, detected: true);

        var first = await _edge.Client.PostAsync("/alarm", delivery);
        var stateVersion = (await _edge.Store.GetVersionAsync(AlarmBundles.StateRef("edge-1", Camera)))!.Value;
        var second = await _edge.Client.PostAsync("/alarm", delivery);

        Assert.Equal(EventTypes.AlarmRaised, first.Event.Type);
        Assert.Equal(EventTypes.AlarmRaised, second.Event.Type);
        Assert.Equal(first.Event.Id, second.Event.Id);
        Assert.Single(_publisher.Notices);
        Assert.Equal(stateVersion, await _edge.Store.GetVersionAsync(AlarmBundles.StateRef("edge-1", Camera)));
        Assert.Empty(second.Json.GetProperty("writes").EnumerateArray());
    }

    [Fact]
    public async Task The_history_keeps_only_the_latest_alarms()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 1, requiredPositives: 1, cooldownSeconds: 0, historyLength: 3));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(EventTypes.AlarmRaised, (await ObserveAsync(TopLeft)).Event.Type);
        }

        var history = (await _edge.Store.ReadAsync(AlarmBundles.HistoryRef("edge-1", Camera)))!
            .Items.GetJson<List<AlarmNotice>>(AlarmBundles.HistoryItem, ContractJson.Options)!;
        Assert.Equal(["wf-3", "wf-4", "wf-5"], history.Select(n => n.WorkflowId));
        Assert.Equal(5, _publisher.Notices.Count);
    }

    [Fact]
    public async Task When_publishing_fails_the_delivery_is_answered_503_and_nothing_is_stored_so_the_retry_raises_it()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 3, requiredPositives: 1));
        var result = new StateRef("edge-1", "wf-retry", DetectBundles.Result);
        var detect = new DetectResult(Camera, 1, 320, 240, true, false, false, 30, null, [TopLeft], []);
        await _edge.Store.WriteAsync(result, BundleItems.CreateBuilder().AddJson(DetectBundles.ResultItem, detect, ContractJson.Options).Build());
        var delivery = FunctionEvents.DetectCompleted(Camera, "wf-retry", result, detected: true);
        _publisher.Failure = new IOException("broker unreachable");

        var failed = await _edge.Client.PostAsync("/alarm", delivery);
        var stateAfterFailure = await _edge.Store.ReadAsync(AlarmBundles.StateRef("edge-1", Camera));
        _publisher.Failure = null;
        var retried = await _edge.Client.PostAsync("/alarm", delivery);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Contains("broker unreachable", failed.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(stateAfterFailure);
        Assert.Equal(EventTypes.AlarmRaised, retried.Event.Type);
        Assert.Single(_publisher.Notices);
    }

    [Fact]
    public async Task A_completion_without_detections_is_counted_as_a_negative_observation()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 2, requiredPositives: 2));

        await ObserveAsync(TopLeft);
        var nothing = await ObserveAsync();
        var positive = await ObserveAsync(TopLeft);

        Assert.Equal(EventTypes.FunctionCompleted, nothing.Event.Type);
        Assert.False(nothing.Json.GetProperty("result").GetProperty("raised").GetBoolean());
        Assert.Equal("debouncing", Status(positive, "r0c0"));
        Assert.Equal(new[] { "", "r0c0" }, (await StateAsync()).Observations.Select(o => string.Join(",", o.Zones)));
    }

    [Fact]
    public async Task Unreadable_alarm_state_is_reset_instead_of_failing_every_frame()
    {
        await ConfigureAsync(new AlarmSettings(windowSize: 3, requiredPositives: 1));
        await _edge.Store.WriteAsync(AlarmBundles.StateRef("edge-1", Camera), BundleItems.CreateBuilder().Add(AlarmBundles.StateItem, "{ nope").Build());

        var response = await ObserveAsync(TopLeft);

        Assert.Equal(EventTypes.AlarmRaised, response.Event.Type);
        Assert.Single((await StateAsync()).Observations);
    }

    [Fact]
    public async Task Invalid_alarm_settings_are_refused_with_422_naming_the_setting()
    {
        await _edge.Store.WriteAsync(
            AlarmBundles.SettingsRef("edge-1", Camera),
            BundleItems.CreateBuilder().Add(AlarmBundles.SettingsItem, """{"windowSize":2,"requiredPositives":5}""").Build());

        var response = await ObserveAsync(TopLeft);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("requiredPositives", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await _edge.Store.ReadAsync(AlarmBundles.StateRef("edge-1", Camera)));
        Assert.Empty(_publisher.Notices);
    }
}
