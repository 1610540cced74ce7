using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Skylark.Events.Cli;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Commands;

/// <summary><c>skylark trace</c>: the trace API's JSON printed as a tree, and clear failures when there is nothing to ask.</summary>
public sealed class TraceCommandTests
{
    [Fact]
    public async Task Without_an_endpoints_file_or_url_it_says_what_to_give_and_exits_2()
    {
        var (exit, _, error) = await RunAsync("trace", "cam-1-000001");

        Assert.Equal(2, exit);
        Assert.Contains("--endpoints", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoints_file_without_a_dashboard_is_refused_with_exit_2()
    {
        using var work = new ScratchDirectory();
        var file = work.File("endpoints.json");
        await File.WriteAllTextAsync(file, """{"broker": "http://127.0.0.1:1/skylark/default", "nodes": {}}""");

        var (exit, _, error) = await RunAsync("trace", "cam-1-000001", "--endpoints", file);

        Assert.Equal(2, exit);
        Assert.Contains("\"dashboard\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_dashboard_is_a_one_line_error_and_exit_1()
    {
        using var work = new ScratchDirectory();
        var file = work.File("endpoints.json");
        await File.WriteAllTextAsync(file, $$"""{"broker": "http://127.0.0.1:1/skylark/default", "nodes": {}, "dashboard": "http://127.0.0.1:{{ClosedPort()}}/"}""");

        var (exit, output, error) = await RunAsync("trace", "cam-1-000001", "--endpoints", file);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith("skylark trace: could not get the trace from http://127.0.0.1:", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_kept_trace_is_served_by_MapTraces_and_printed_as_a_tree()
    {
        using var store = new TraceStore(sampler: new TraceSampler(newTracesPerSecond: null));
        using var source = CloudEventTracing.CreateSource("TraceCommandTests");
        using (var root = source.StartActivity("frame ingest"))
        {
            root!.SetTag(CloudEventTracing.WorkflowIdTag, "wf-cli").SetTag(CloudEventTracing.NodeTag, "edge");
            using var child = source.StartActivity("preprocess process");
            child!.SetTag(CloudEventTracing.WorkflowIdTag, "wf-cli").SetTag(CloudEventTracing.NodeTag, "edge");
        }

        await using var app = await LocalWebApp.StartAsync("traces", _ => { }, web => web.MapTraces(store));
        using var client = new HttpClient();
        var json = await client.GetStringAsync(new Uri(app.Url, "api/traces/wf-cli"));
        var missing = await client.GetAsync(new Uri(app.Url, "api/traces/nobody"));
        var (exit, output, error) = await RunAsync("trace", "wf-cli", "--url", app.Url.ToString());

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        foreach (var key in new[] { "\"workflowId\"", "\"traceId\"", "\"spans\"", "\"spanId\"", "\"parentSpanId\"", "\"name\"", "\"service\"", "\"node\"", "\"startUnixNano\"", "\"durationMs\"", "\"attributes\"" })
        {
            Assert.Contains(key, json, StringComparison.Ordinal);
        }

        Assert.True(exit == 0, error);
        Assert.Contains("of workflow wf-cli: 2 spans", output, StringComparison.Ordinal);
        Assert.Matches(@"TraceCommandTests\s+edge\s+frame ingest\n.*TraceCommandTests\s+edge\s+  preprocess process\n", output);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await SkylarkCommandLine.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
