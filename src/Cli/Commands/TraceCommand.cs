using System.CommandLine;
using System.Net;
using System.Text.Json;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark trace &lt;workflowid&gt; --endpoints &lt;file&gt; | --url &lt;dashboard&gt;</c>: asks a running <c>skylark up</c>
/// for one workflow's trace (<c>GET /api/traces/{id}</c> on its dashboard, whose URL the endpoints file names as
/// <c>dashboard</c>) and prints it as a span tree (<see cref="TraceTree"/>).
/// </summary>
public static class TraceCommand
{
    public const string DashboardKey = "dashboard";

    public static Command Create()
    {
        var workflow = new Argument<string>("workflowid") { Description = "The workflow whose trace to show (a frame's workflow id, e.g. cam-1-000042)." };
        var endpoints = new Option<FileInfo?>("--endpoints") { Description = "The endpoints file `skylark up --endpoints-file` wrote; its \"dashboard\" URL serves the traces." };
        var url = new Option<string?>("--url") { Description = "The dashboard's base URL, instead of --endpoints." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long to wait for the answer.", DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };
        var command = new Command("trace", "Print one workflow's trace from a running `skylark up` (in-process runtime): the span tree and where the time went.")
        {
            workflow, endpoints, url, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var id = parse.GetRequiredValue(workflow);
            Uri dashboard;
            try
            {
                dashboard = parse.GetValue(url) is { } given
                    ? (Uri.TryCreate(given, UriKind.Absolute, out var parsed) ? parsed : throw new InvalidDataException($"--url '{given}' is not an absolute URL."))
                    : await DashboardOfAsync(parse.GetValue(endpoints), ct);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or JsonException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"skylark trace: {e.Message}");
                return 2;
            }

            using var client = new HttpClient { Timeout = parse.GetValue(timeout) };
            var address = new Uri(dashboard, $"/api/traces/{Uri.EscapeDataString(id)}");
            try
            {
                using var response = await client.GetAsync(address, ct);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    await error.WriteLineAsync($"skylark trace: {dashboard} keeps no trace of workflow '{id}' (not run yet, dropped as one of the oldest, or run with --processes, whose spans go only to an OTLP collector).");
                    return 1;
                }

                response.EnsureSuccessStatusCode();
                var trace = await response.Content.ReadFromJsonAsync<TraceView>(ct)
                    ?? throw new InvalidDataException($"{address} answered with an empty body.");
                await parse.InvocationConfiguration.Output.WriteAsync(TraceTree.Render(trace));
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidDataException && !ct.IsCancellationRequested)
            {
                await error.WriteLineAsync($"skylark trace: could not get the trace from {address}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The <c>dashboard</c> URL of the endpoints file (read as plain JSON: older files lack it).</summary>
    private static async Task<Uri> DashboardOfAsync(FileInfo? endpoints, CancellationToken cancellationToken)
    {
        if (endpoints is null)
        {
            throw new InvalidDataException("give --endpoints <file> (what `skylark up --endpoints-file <file>` writes) or --url <dashboard>.");
        }

        await using var file = endpoints.OpenRead();
        using var json = await JsonDocument.ParseAsync(file, cancellationToken: cancellationToken);
        if (json.RootElement.ValueKind != JsonValueKind.Object
            || !json.RootElement.TryGetProperty(DashboardKey, out var value)
            || value.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var dashboard))
        {
            throw new InvalidDataException($"{endpoints.FullName} names no \"{DashboardKey}\" URL: this `skylark up` serves no dashboard; give its URL with --url.");
        }

        return dashboard;
    }
}
