using System.CommandLine;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Cli;
using Skylark.Events.Lab.Replay;
using Skylark.Events.Tests.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Replay;

public sealed class ReplayRoundTripTests : IAsyncLifetime
{
    private readonly JournalFolder folder = new();
    private TestSubscriber subscriber = null!;

    public async Task InitializeAsync() => subscriber = await TestSubscriber.StartAsync();

    public async Task DisposeAsync()
    {
        await subscriber.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task A_recording_replayed_into_a_journaled_broker_and_exported_again_equals_the_recording()
    {
        var recording = EventReplay.Load(EventReplay.Pipeline);
        await using (var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("all", subscriber.Url)), o => o.Journal = folder.Options()))
        {
            await EventReplay.IntoAsync(broker, EventReplay.Pipeline);
        }

        var (exitCode, exported, _) = await RunAsync("journal", "export", folder.Path);

        Assert.Equal(0, exitCode);
        var lines = exported.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(recording.Count, lines.Length);
        for (var i = 0; i < recording.Count; i++)
        {
            var again = JsonLinesEvents.Parse(lines[i]);

            // The broker stamps its own arrival time; everything else comes back as recorded.
            Assert.Equal(JsonLinesEventsTests.Attributes(recording[i], "knativearrivaltime"), JsonLinesEventsTests.Attributes(again, "knativearrivaltime"));
            Assert.Equal(Data(recording[i]), Data(again));
            Assert.NotEqual(recording[i]["knativearrivaltime"], again["knativearrivaltime"]);
        }
    }

    [Fact]
    public async Task Replayed_events_reach_the_matching_subscribers_with_their_attributes_and_data()
    {
        await using var alarms = await TestSubscriber.StartAsync();
        var model = TestEventing.Model(
            TestEventing.Trigger("frames", subscriber.Url, TestEventing.Type("io.skylark.camera.frame")),
            TestEventing.Trigger("alarms", alarms.Url, TestEventing.Type("io.skylark.alarm.raised")));
        await using var broker = await BrokerHost.StartAsync(model);
        var recording = EventReplay.Load(EventReplay.Pipeline);

        var summary = await EventReplay.IntoAsync(broker, EventReplay.Pipeline);

        Assert.Equal((42, 42), (summary.Sent, summary.Accepted));
        // A Trigger's workers deliver concurrently, as Knative's do, so arrival order is not the recording's.
        var frames = recording.Where(e => e.Type == "io.skylark.camera.frame").OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        var received = subscriber.Received.OrderBy(r => r.CloudEvent.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(frames.Select(e => e.Id), received.Select(r => r.CloudEvent.Id));
        Assert.Equal(frames.Select(Data), received.Select(r => Data(r.CloudEvent)));
        Assert.Equal(frames.Select(e => e["camera"]), received.Select(r => r.Extension("camera")));
        Assert.Equal(recording.Count(e => e.Type == "io.skylark.alarm.raised"), alarms.Count);
    }

    [Fact]
    public async Task Filters_choose_the_events_and_fresh_ids_replace_only_the_ids()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("all", subscriber.Url)));
        var expected = EventReplay.Load(EventReplay.Pipeline).Where(e => (string?)e["function"] == "detect" && (string?)e["detected"] == "true").ToList();

        var summary = await EventReplay.IntoAsync(broker, EventReplay.Pipeline, o => o with
        {
            Filters = [AttributeFilter.Parse("function=detect"), AttributeFilter.Parse("detected=true")],
            FreshIds = true,
        });

        // The replay ends once the broker accepted every event; its deliveries may still be on their way, in any order.
        var received = await subscriber.WaitForAsync(expected.Count);

        Assert.Equal((42, 42 - expected.Count, expected.Count), (summary.Read, summary.Filtered, summary.Sent));
        Assert.Equal(expected.Select(e => (string?)e["workflowid"]).Order(), received.Select(r => r.Extension("workflowid")).Order());
        Assert.Empty(received.Select(r => r.CloudEvent.Id).Intersect(expected.Select(e => e.Id)));
        Assert.Equal(expected.Count, received.Select(r => r.CloudEvent.Id).Distinct().Count());
    }

    [Fact]
    public async Task Pacing_follows_the_recorded_gaps_divided_by_the_speed()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var events = new[] { 0, 2, 6 }.Select(seconds =>
        {
            var e = TestEvents.Create(id: $"at-{seconds}");
            e.SetAttributeFromString("knativearrivaltime", start.AddSeconds(seconds).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            return e;
        }).ToList();
        var clock = new FakeTimeProvider(start);
        using var client = new HttpClient();

        var replay = new EventReplayer(client, clock).ReplayAsync(events, new ReplayOptions(subscriber.Url) { Speed = ReplaySpeed.Parse("2x") });

        // The clock only moves when the test moves it, so what arrived is exactly what was due.
        await subscriber.WaitForAsync(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await subscriber.WaitForAsync(2);
        Assert.Equal(2, subscriber.Count);
        clock.Advance(TimeSpan.FromSeconds(2));
        var summary = await replay.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["at-0", "at-2", "at-6"], subscriber.Received.Select(r => r.CloudEvent.Id));
        Assert.Equal(3, summary.Accepted);
    }

    [Fact]
    public async Task The_replay_command_prints_a_summary_and_exits_0_when_every_event_was_accepted()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("all", subscriber.Url)));

        var (exitCode, output, _) = await RunAsync("replay", EventReplay.Recording(EventReplay.Pipeline), "--to", broker.BrokerUrl().ToString(), "--filter", "type=io.skylark.camera.frame", "--concurrency", "4");
        await broker.WaitUntilIdleAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("accepted  12", output, StringComparison.Ordinal);
        Assert.Contains("30 left out by the filters", output, StringComparison.Ordinal);
        Assert.Equal(12, subscriber.Count);
    }

    [Fact]
    public async Task The_replay_command_counts_rejections_by_status_and_exits_1()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("all", subscriber.Url)));

        var (exitCode, output, _) = await RunAsync("replay", EventReplay.Recording(EventReplay.Pipeline), "--to", broker.BrokerUrl("missing").ToString());

        Assert.Equal(1, exitCode);
        Assert.Contains("rejected  42 (404: 42)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay", "no-such-file.jsonl", "--to", "http://127.0.0.1:9/test/default")]
    [InlineData("journal", "export", "no-such-folder")]
    public async Task A_missing_recording_is_a_clear_error(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains("no-such-", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--speed", "fast", "not a replay speed")]
    [InlineData("--filter", "type", "<attribute>=<value>")]
    [InlineData("--concurrency", "0", "at least 1")]
    public async Task Bad_replay_options_are_refused_with_a_message(string option, string value, string message)
    {
        var (exitCode, _, error) = await RunAsync("replay", EventReplay.Recording(EventReplay.Pipeline), "--to", "http://127.0.0.1:9/test/default", option, value);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static byte[] Data(CloudEvent cloudEvent) => BinaryModeRequest.EncodeData(cloudEvent).ToArray();

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SkylarkCommandLine.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
