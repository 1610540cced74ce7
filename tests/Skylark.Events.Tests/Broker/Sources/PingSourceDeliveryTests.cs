using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Eventing.Resources;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>What reaches the sink, and what happens when the sink is slow, failing or gone.</summary>
public sealed class PingSourceDeliveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 10, 7, 13, TimeSpan.Zero);
    private static readonly DateTimeOffset First = new(2030, 1, 1, 10, 7, 20, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly PingSourceOptions NoRetry = new() { Retry = 0 };

    private readonly FakeTimeProvider clock = new();
    private readonly HttpClient http = new();
    private readonly RecordingLogger logger = new();

    public PingSourceDeliveryTests() => clock.SetUtcNow(Start);

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task Sends_a_binary_mode_cloudevent_with_knatives_attributes_data_and_extensions()
    {
        await using var sink = await PingSink.StartAsync();
        await using var run = Run(PingSourceResources.Create(
            "*/10 * * * * *",
            sink.Url,
            name: "statesink-sync",
            contentType: "application/json",
            data: "{\"task\":\"sync\"}",
            extensions: new Dictionary<string, string> { ["node"] = "sat-3", ["purpose"] = "sync" }));

        var ping = await TickAsync(run, sink, First);

        Assert.Equal("1.0", ping.Headers["ce-specversion"]);
        Assert.Equal("dev.knative.sources.ping", ping.Headers["ce-type"]);
        Assert.Equal("/apis/v1/namespaces/skylark/pingsources/statesink-sync", ping.Headers["ce-source"]);
        Assert.True(Guid.TryParse(ping.Headers["ce-id"], out _), ping.Headers["ce-id"]);
        Assert.Equal(First, DateTimeOffset.Parse(ping.Headers["ce-time"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("sat-3", ping.Headers["ce-node"]);
        Assert.Equal("sync", ping.Headers["ce-purpose"]);
        Assert.Equal("application/json", ping.ContentType);
        Assert.False(ping.Headers.ContainsKey("ce-datacontenttype"));
        Assert.Equal("{\"task\":\"sync\"}"u8.ToArray(), ping.Body);
        Assert.Equal(
            ["ce-id", "ce-node", "ce-purpose", "ce-source", "ce-specversion", "ce-time", "ce-type"],
            ping.Headers.Keys.Where(k => k.StartsWith("ce-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_tick_gets_a_fresh_id()
    {
        await using var sink = await PingSink.StartAsync();
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *", sink.Url));

        var first = await TickAsync(run, sink, First);
        var second = await TickAsync(run, sink, First + Interval);

        Assert.NotEqual(first.Event.Id, second.Event.Id);
    }

    [Fact]
    public async Task Sends_decoded_data_base64_as_the_exact_body()
    {
        byte[] payload = [0x00, 0xFF, 0xFE, 0x0A, 0x7F, 0x80];
        await using var sink = await PingSink.StartAsync();
        await using var run = Run(PingSourceResources.Create(
            "*/10 * * * * *", sink.Url, contentType: "application/octet-stream", dataBase64: Convert.ToBase64String(payload)));

        var ping = await TickAsync(run, sink, First);

        Assert.Equal("application/octet-stream", ping.ContentType);
        Assert.Equal(payload, ping.Body);
    }

    [Fact]
    public async Task Sends_data_without_a_content_type_header_when_the_source_has_no_content_type()
    {
        await using var sink = await PingSink.StartAsync();
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *", sink.Url, data: "hello"));

        var ping = await TickAsync(run, sink, First);

        Assert.Null(ping.ContentType);
        Assert.Equal("hello"u8.ToArray(), ping.Body);
    }

    [Fact]
    public async Task Sends_an_empty_body_when_the_source_has_no_data()
    {
        await using var sink = await PingSink.StartAsync();
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *", sink.Url, contentType: "application/json"));

        var ping = await TickAsync(run, sink, First);

        Assert.Empty(ping.Body);
        Assert.Null(ping.Event.DataContentType);
    }

    [Fact]
    public async Task Resolves_a_sink_ref_through_the_injected_resolver()
    {
        await using var sink = await PingSink.StartAsync();
        var reference = new KReference("Service", "statesink", "skylark", "serving.knative.dev/v1");
        var asked = new List<Destination>();
        Uri Resolve(Destination destination)
        {
            lock (asked)
            {
                asked.Add(destination);
            }

            return destination.Ref == reference ? sink.Url : throw new InvalidOperationException($"unknown sink {destination}");
        }

        await using var run = Run(
            PingSourceResources.Create("*/10 * * * * *", sinkDestination: new Destination(reference, null)),
            resolve: Resolve);

        await TickAsync(run, sink, First);

        Assert.Equal(new Destination(reference, null), Assert.Single(asked));
    }

    [Fact]
    public async Task A_tick_that_comes_due_while_the_previous_send_is_in_flight_is_skipped_not_queued()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sink = await PingSink.StartAsync(async (number, cancel) =>
        {
            if (number == 1)
            {
                await release.Task.WaitAsync(cancel);
            }

            return StatusCodes.Status202Accepted;
        });
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *", sink.Url));

        await TickAsync(run, sink, First);
        await run.ArmedForAsync(First + Interval);
        clock.SetUtcNow(First + Interval);
        var meanwhile = await run.WhenAsync(s => s.Skipped == 1 && s.NextDue == First + (2 * Interval));

        Assert.True(meanwhile.InFlight);
        Assert.Equal(0, meanwhile.Sent);
        Assert.Single(sink.Received);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("skipped the tick due at", StringComparison.Ordinal));

        release.SetResult();
        await run.WhenAsync(s => s.Sent == 1 && !s.InFlight);
        await TickAsync(run, sink, First + (2 * Interval));
        var after = await run.WhenAsync(s => s.Sent == 2);

        Assert.Equal(1, after.Skipped);
        Assert.Equal(2, sink.Received.Count);
    }

    [Fact]
    public async Task A_sink_answering_500_is_logged_and_the_next_tick_is_sent_all_the_same()
    {
        await using var sink = await PingSink.StartAsync((number, _) =>
            Task.FromResult(number == 1 ? StatusCodes.Status500InternalServerError : StatusCodes.Status202Accepted));
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *", sink.Url));

        await TickAsync(run, sink, First);
        var failed = await run.WhenAsync(s => s.Failed == 1 && !s.InFlight);
        Assert.Equal(0, failed.Sent);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("HTTP 500", StringComparison.Ordinal));

        await TickAsync(run, sink, First + Interval);
        var recovered = await run.WhenAsync(s => s.Sent == 1);

        Assert.Equal(1, recovered.Failed);
        Assert.Equal(2, sink.Received.Count);
    }

    [Fact]
    public async Task An_unreachable_sink_is_logged_and_the_source_keeps_ticking()
    {
        var nowhere = PingSink.Unreachable();
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *", nowhere), NoRetry);

        await run.ArmedForAsync(First);
        clock.SetUtcNow(First);
        await run.WhenAsync(s => s.Failed == 1 && !s.InFlight);
        await run.ArmedForAsync(First + Interval);
        clock.SetUtcNow(First + Interval);
        var status = await run.WhenAsync(s => s.Failed == 2 && !s.InFlight);

        Assert.Equal(First + (2 * Interval), status.NextDue);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains(nowhere.Authority, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Retries_an_unavailable_sink_after_the_backoff_with_the_same_event()
    {
        await using var sink = await PingSink.StartAsync((number, _) =>
            Task.FromResult(number == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status202Accepted));
        await using var run = Run(PingSourceResources.Create("@hourly", sink.Url));
        var due = new DateTimeOffset(2030, 1, 1, 11, 0, 0, TimeSpan.Zero);

        var first = await TickAsync(run, sink, due);
        await run.WhenAsync(s => s.RetryAt == due.AddMilliseconds(50));
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var second = await sink.NextAsync();
        var status = await run.WhenAsync(s => s.Sent == 1 && !s.InFlight);

        Assert.Equal((first.Event.Id, first.Event.Time), (second.Event.Id, second.Event.Time));
        Assert.Equal(0, status.Failed);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_retries_with_exponential_backoff()
    {
        await using var sink = await PingSink.StartAsync((_, _) => Task.FromResult(StatusCodes.Status503ServiceUnavailable));
        await using var run = Run(PingSourceResources.Create("@hourly", sink.Url), new PingSourceOptions { Retry = 2 });
        var due = new DateTimeOffset(2030, 1, 1, 11, 0, 0, TimeSpan.Zero);

        await TickAsync(run, sink, due);
        await run.WhenAsync(s => s.RetryAt == due.AddMilliseconds(50));
        clock.Advance(TimeSpan.FromMilliseconds(50));
        await sink.NextAsync();
        await run.WhenAsync(s => s.RetryAt == due.AddMilliseconds(150));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await sink.NextAsync();
        var status = await run.WhenAsync(s => s.Failed == 1 && !s.InFlight);

        Assert.Equal(3, sink.Received.Count);
        Assert.Equal(0, status.Sent);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("after 3 attempt(s): HTTP 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sink_that_never_answers_times_out_and_frees_the_source()
    {
        await using var sink = await PingSink.StartAsync(async (_, cancel) =>
        {
            await Task.Delay(Timeout.Infinite, cancel);
            return StatusCodes.Status202Accepted;
        });
        await using var run = Run(
            PingSourceResources.Create("*/10 * * * * *", sink.Url),
            new PingSourceOptions { Retry = 0, AttemptTimeout = TimeSpan.FromSeconds(5) });

        await TickAsync(run, sink, First);
        clock.Advance(TimeSpan.FromSeconds(5));
        var status = await run.WhenAsync(s => s.Failed == 1 && !s.InFlight);

        Assert.Equal(0, status.Skipped);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("no answer within 00:00:05", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sink_that_cannot_be_resolved_fails_that_event_only()
    {
        await using var sink = await PingSink.StartAsync();
        var calls = 0;
        Uri Resolve(Destination destination) =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("statesink has no address yet") : sink.Url;
        await using var run = Run(PingSourceResources.Create("*/10 * * * * *"), resolve: Resolve);

        await run.ArmedForAsync(First);
        clock.SetUtcNow(First);
        await run.WhenAsync(s => s.Failed == 1 && !s.InFlight);
        await TickAsync(run, sink, First + Interval);
        await run.WhenAsync(s => s.Sent == 1);

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("could not be resolved", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_cancels_the_send_in_flight_cleanly()
    {
        await using var sink = await PingSink.StartAsync(async (_, cancel) =>
        {
            await Task.Delay(Timeout.Infinite, cancel);
            return StatusCodes.Status202Accepted;
        });
        var run = Run(PingSourceResources.Create("*/10 * * * * *", sink.Url));
        await TickAsync(run, sink, First);

        await run.StopAsync();
        await sink.Aborted.WaitAsync(TimeSpan.FromSeconds(10));
        await run.DisposeAsync();

        Assert.True(run.Completion.IsCompletedSuccessfully);
        Assert.Equal(new PingSourceStatus(null, false, null, 0, 0, 0, 0), run.Scheduler.Status);
        Assert.Contains(logger.Entries, e => e.Message.Contains("cancelled by shutdown", StringComparison.Ordinal));
    }

    /// <summary>Moves the clock to <paramref name="due"/> once the scheduler waits for it with no send in flight.</summary>
    private async Task<ReceivedPing> TickAsync(SchedulerRun run, PingSink sink, DateTimeOffset due)
    {
        await run.WhenAsync(s => s.NextDue == due && !s.InFlight);
        clock.SetUtcNow(due);
        return await sink.NextAsync();
    }

    private SchedulerRun Run(PingSourceResource source, PingSourceOptions? options = null, Func<Destination, Uri>? resolve = null) =>
        SchedulerRun.Start(new PingSourceScheduler(source, resolve ?? PingSourceResources.UriSinks, http, clock, logger, options));
}
