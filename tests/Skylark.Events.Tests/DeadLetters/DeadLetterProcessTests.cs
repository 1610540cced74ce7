using System.Net;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.DeadLetters;

/// <summary>The dead-letters deployable as a pod runs it: its own process, configured by environment variables only.</summary>
public sealed class DeadLetterProcessTests
{
    private const string Assembly = "Skylark.Events.DeadLetters";

    [Fact]
    public async Task Without_its_log_it_exits_2_with_one_line_naming_the_setting()
    {
        await using var service = ServiceProcess.Start(Assembly, new Dictionary<string, string>());

        var code = await service.ExitAsync();

        Assert.Equal(SkylarkService.ConfigurationExitCode, code);
        Assert.Equal(
            ["dead-letters: --dead-letter-log (SKYLARK_DEAD_LETTER_LOG) is required."],
            service.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task It_stores_a_dead_letter_is_ready_serves_metrics_stops_on_SIGTERM_and_the_next_process_lists_it()
    {
        using var scratch = new ScratchDirectory();
        var environment = new Dictionary<string, string>
        {
            ["SKYLARK_DEAD_LETTER_LOG"] = scratch.File("dead-letters.jsonl"),
            ["SKYLARK_SHUTDOWN_GRACE"] = "5s",
        };
        int code;
        HttpStatusCode stored, ready;
        string metrics;
        await using (var first = ServiceProcess.Start(Assembly, environment))
        {
            using var client = new HttpClient { BaseAddress = await first.ListeningAsync() };
            using (var response = await DeadLetterHost.PostAsync(client, DeadLetterHost.DeadLetter("ev-1", 422, "frame is truncated")))
            {
                stored = response.StatusCode;
            }

            using (var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative)))
            {
                ready = response.StatusCode;
            }

            metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            code = await first.TerminateAsync();
        }

        await using var second = ServiceProcess.Start(Assembly, environment);
        using var again = new HttpClient { BaseAddress = await second.ListeningAsync() };
        using var listing = await DeadLetterHost.ListAsync(again);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (stored, ready));
        Assert.Contains("# TYPE skylark_deadletters_received_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(0, code);
        Assert.Equal([1L], DeadLetterHost.Sequences(listing));
        var item = listing.RootElement.GetProperty("items")[0];
        Assert.Equal("frame is truncated", item.GetProperty("error").GetProperty("data").GetString());
        Assert.Equal("ev-1", item.GetProperty("event").GetProperty("id").GetString());
    }
}
