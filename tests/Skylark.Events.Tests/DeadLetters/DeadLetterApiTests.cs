using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.DeadLetters;

public sealed class DeadLetterApiTests
{
    [Fact]
    public async Task Dead_letters_in_either_mode_are_listed_oldest_first_with_the_knative_error_decoded_and_the_event_in_structured_form()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"));

        var first = await host.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 422, "frame is truncated"));
        var second = await host.StoreAsync(DeadLetterHost.DeadLetter("ev-2", 500, response: null, destination: "http://alarm.skylark.svc/"), ContentMode.Structured);
        using var listing = await host.ListAsync();

        Assert.Equal((1L, 2L), (first, second));
        var root = listing.RootElement;
        Assert.Equal(2, root.GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("next").ValueKind);
        var items = root.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([1L, 2L], DeadLetterHost.Sequences(listing));
        var error = items[0].GetProperty("error");
        Assert.Equal(("http://detect.skylark.svc/", 422, "frame is truncated"), (error.GetProperty("destination").GetString(), error.GetProperty("code").GetInt32(), error.GetProperty("data").GetString()));
        Assert.False(items[1].GetProperty("error").TryGetProperty("data", out _));
        Assert.Equal(500, items[1].GetProperty("error").GetProperty("code").GetInt32());
        var dead = items[0].GetProperty("event");
        Assert.Equal(("1.0", "ev-1", "io.skylark.camera.frame", "/cameras/cam-1"), (dead.GetProperty("specversion").GetString(), dead.GetProperty("id").GetString(), dead.GetProperty("type").GetString(), dead.GetProperty("source").GetString()));
        Assert.Equal(7, dead.GetProperty("data").GetProperty("frame").GetInt32());
        Assert.Equal(Convert.ToBase64String("frame is truncated"u8), dead.GetProperty("knativeerrordata").GetString());
        Assert.True(items[0].GetProperty("receivedAt").GetDateTimeOffset() <= items[1].GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal(2, File.ReadAllLines(host.Log.Path).Length);
    }

    [Fact]
    public async Task ReceivedAt_is_the_time_on_the_service_clock_when_the_dead_letter_arrived()
    {
        using var scratch = new ScratchDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)));
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"), time: clock);

        await host.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 500, null));
        clock.Advance(TimeSpan.FromMinutes(1));
        await host.StoreAsync(DeadLetterHost.DeadLetter("ev-2", 500, null));
        using var listing = await host.ListAsync();

        var items = listing.RootElement.GetProperty("items");
        Assert.Equal("2030-05-06T05:08:09Z", items[0].GetProperty("receivedAt").GetString());
        Assert.Equal("2030-05-06T05:09:09Z", items[1].GetProperty("receivedAt").GetString());
    }

    [Fact]
    public async Task Pages_follow_after_and_limit_and_next_says_where_the_next_one_starts()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"), o => (o.DefaultPageSize, o.MaxPageSize) = (50, 50));
        for (var i = 1; i <= 150; i++)
        {
            await host.StoreAsync(DeadLetterHost.DeadLetter($"ev-{i}", 422, "no"));
        }

        using var firstPage = await host.ListAsync("?limit=50");
        using var middle = await host.ListAsync("?after=63&limit=3");
        using var last = await host.ListAsync("?after=140&limit=50");
        using var beyond = await host.ListAsync("?after=150");
        using var tooMany = await host.Client.GetAsync(new Uri("/dead-letters?limit=51", UriKind.Relative));
        using var notANumber = await host.Client.GetAsync(new Uri("/dead-letters?after=-1", UriKind.Relative));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), DeadLetterHost.Sequences(firstPage));
        Assert.Equal(50, firstPage.RootElement.GetProperty("next").GetInt64());
        Assert.Equal([64L, 65L, 66L], DeadLetterHost.Sequences(middle));
        Assert.Equal("ev-64", middle.RootElement.GetProperty("items")[0].GetProperty("event").GetProperty("id").GetString());
        Assert.Equal(Enumerable.Range(141, 10).Select(i => (long)i), DeadLetterHost.Sequences(last));
        Assert.Equal(JsonValueKind.Null, last.RootElement.GetProperty("next").ValueKind);
        Assert.Empty(DeadLetterHost.Sequences(beyond));
        Assert.Equal(150, beyond.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("limit must be a whole number from 1 to 50", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, notANumber.StatusCode);
    }

    [Fact]
    public async Task A_page_stops_at_its_byte_budget_but_always_holds_one_record()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"), o => o.MaxPageBytes = 1);
        await host.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 500, null));
        await host.StoreAsync(DeadLetterHost.DeadLetter("ev-2", 500, null));

        using var page = await host.ListAsync();
        using var next = await host.ListAsync($"?after={page.RootElement.GetProperty("next").GetInt64()}");

        Assert.Equal([1L], DeadLetterHost.Sequences(page));
        Assert.Equal([2L], DeadLetterHost.Sequences(next));
    }

    [Fact]
    public async Task What_is_not_a_CloudEvent_is_refused_with_400_and_the_reason_and_nothing_is_written()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"));

        using var plain = await host.Client.PostAsync(new Uri("/", UriKind.Relative), new StringContent("hello", Encoding.UTF8, "text/plain"));
        using var missingType = new HttpRequestMessage(HttpMethod.Post, new Uri("/", UriKind.Relative)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        missingType.Headers.Add("ce-specversion", "1.0");
        missingType.Headers.Add("ce-id", "x");
        missingType.Headers.Add("ce-source", "/s");
        using var noType = await host.Client.SendAsync(missingType);
        using var broken = await host.Client.PostAsync(new Uri("/", UriKind.Relative), new StringContent("{\"specversion\":", Encoding.UTF8, "application/cloudevents+json"));

        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("Not a CloudEvent", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noType.StatusCode);
        Assert.Contains("type", await noType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(0, host.Log.Count);
        Assert.Equal(0, new FileInfo(host.Log.Path).Length);
        Assert.Equal(3, host.Metrics.Rejected);
    }

    [Fact]
    public async Task A_dead_letter_over_the_size_limit_is_refused_with_413_whether_or_not_its_length_is_announced()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"), o => o.MaxEventBytes = 1024);
        var large = DeadLetterHost.DeadLetter("big", 500, null, data: $"{{\"pad\":\"{new string('x', 8 * 1024 * 1024)}\"}}");

        using var announced = await host.PostAsync(large);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri("/", UriKind.Relative))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('y', 4096)))),
        };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.Add("ce-specversion", "1.0");
        chunked.Headers.Add("ce-id", "chunked");
        chunked.Headers.Add("ce-type", "t");
        chunked.Headers.Add("ce-source", "/s");
        using var streamed = await host.Client.SendAsync(chunked);
        var fits = await host.StoreAsync(DeadLetterHost.DeadLetter("small", 500, null));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, announced.StatusCode);
        Assert.Contains("limit of 1024 bytes", await announced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal(1, fits);
    }

    [Fact]
    public async Task Concurrent_dead_letters_all_get_a_sequence_of_their_own_and_share_fsyncs()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"));
        var stored = new List<long>();
        host.Log.Stored += (_, e) =>
        {
            lock (stored)
            {
                stored.Add(e.DeadLetter.Sequence);
            }
        };

        var sequences = await Task.WhenAll(Enumerable.Range(1, 64).Select(i => host.StoreAsync(DeadLetterHost.DeadLetter($"ev-{i}", 503, "busy"))));
        using var listing = await host.ListAsync();

        Assert.Equal(Enumerable.Range(1, 64).Select(i => (long)i), sequences.Order());
        Assert.Equal(Enumerable.Range(1, 64).Select(i => (long)i), DeadLetterHost.Sequences(listing));
        Assert.Equal(Enumerable.Range(1, 64).Select(i => (long)i), stored.Order());
        var metrics = host.Metrics;
        Assert.Equal(64, metrics.Received);
        Assert.InRange(metrics.Fsyncs, 1, 64);
        Assert.Equal(64, File.ReadAllLines(host.Log.Path).Length);
    }

    [Fact]
    public async Task It_is_ready_while_its_file_is_open_and_serves_its_metrics()
    {
        using var scratch = new ScratchDirectory();
        await using var host = await DeadLetterHost.StartAsync(scratch.File("dead-letters.jsonl"));
        await host.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 422, "no"));

        using var ready = await host.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        var metrics = await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        File.Move(host.Log.Path, scratch.File("moved.jsonl"));
        using var notReady = await host.Client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Other tests' services in this process export the same meter name, so only the series is checked, not its value.
        Assert.Matches(new Regex("""skylark_deadletters_received_total\{[^}]*kn_error_code="422"[^}]*\} \d+"""), metrics);
        Assert.Contains("skylark_deadletters_fsync_duration_seconds_count", metrics, StringComparison.Ordinal);
        Assert.Contains("skylark_deadletters_stored{", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("is gone", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
