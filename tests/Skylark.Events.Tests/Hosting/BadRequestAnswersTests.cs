using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Hosting;

/// <summary>
/// Every deployable (built by <see cref="SkylarkService.CreateBuilder"/>) answers a request body Kestrel refuses with
/// a text saying what was wrong, and logs it as one line. What Kestrel refuses before any app code runs it answers
/// itself, with an empty body: ASP.NET Core offers no hook for those answers.
/// </summary>
public sealed class BadRequestAnswersTests
{
    private readonly RecordingLoggerProvider logs = new();

    /// <summary>A deployable whose only endpoint reads the whole body without handling Kestrel's refusals.</summary>
    private Task<DeployableHost> StartAsync(Action<KestrelServerLimits> limits) =>
        DeployableHost.StartAsync(
            "test-service",
            [],
            new Dictionary<string, string>(),
            builder => builder.WebHost.ConfigureKestrel(o => limits(o.Limits)),
            app => app.MapPost("/read", async (HttpContext context) =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
                return Results.Ok();
            }),
            logs: logs);

    /// <summary>Sends <paramref name="request"/> as raw bytes, then stays silent; returns everything the server sent until it closed.</summary>
    private static async Task<string> ExchangeAsync(DeployableHost host, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.Client.BaseAddress!.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static (string StatusLine, string Headers, string Body) Parse(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"Not an HTTP response: '{response}'");
        var head = response[..end];
        var firstLine = head.IndexOf("\r\n", StringComparison.Ordinal);
        return (head[..firstLine], head[(firstLine + 2)..], response[(end + 4)..]);
    }

    private IReadOnlyList<LogEntry> Refusals => [.. logs.Entries.Where(e => e.Category == typeof(BadRequestAnswers).FullName)];

    [Fact]
    public async Task A_body_that_arrives_too_slowly_is_answered_408_with_a_text_and_logged_as_one_line_without_a_stack_trace()
    {
        await using var host = await StartAsync(l => l.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(2)));

        var (status, headers, body) = Parse(await ExchangeAsync(host, "POST /read HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\nslow"));

        Assert.Equal("HTTP/1.1 408 Request Timeout", status);
        Assert.Contains("Content-Type: text/plain; charset=utf-8", headers, StringComparison.Ordinal);
        Assert.Contains("Connection: close", headers, StringComparison.Ordinal);
        Assert.StartsWith("408 Request Timeout: Reading the request body timed out due to data arriving too slowly.", body, StringComparison.Ordinal);
        var refusal = Assert.Single(Refusals);
        Assert.Equal(LogLevel.Information, refusal.Level);
        Assert.Null(refusal.Exception);
        Assert.Equal(408, refusal.Values["Status"]);
        Assert.Equal("/read", refusal.Values["Path"]);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning || e.Exception is not null);
    }

    [Fact]
    public async Task A_malformed_chunked_body_is_answered_400_with_a_text()
    {
        await using var host = await StartAsync(_ => { });

        var (status, _, body) = Parse(await ExchangeAsync(host, "POST /read HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nnot-a-size\r\n"));

        Assert.Equal("HTTP/1.1 400 Bad Request", status);
        Assert.StartsWith("400 Bad Request: ", body, StringComparison.Ordinal);
        Assert.Equal(400, Assert.Single(Refusals).Values["Status"]);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning || e.Exception is not null);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_answered_413_with_a_text()
    {
        await using var host = await StartAsync(l => l.MaxRequestBodySize = 100);

        var (status, _, body) = Parse(await ExchangeAsync(host, $"POST /read HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n{new string('x', 1000)}"));

        Assert.Equal("HTTP/1.1 413 Payload Too Large", status);
        Assert.StartsWith("413 Payload Too Large: Request body too large.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_too_large_are_answered_431_by_kestrel_before_any_app_code_so_without_a_body()
    {
        await using var host = await StartAsync(l => l.MaxRequestHeadersTotalSize = 1024);

        var (status, headers, body) = Parse(await ExchangeAsync(host, $"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: {new string('x', 4096)}\r\n\r\n"));

        Assert.Equal("HTTP/1.1 431 Request Header Fields Too Large", status);
        Assert.Contains("Content-Length: 0", headers, StringComparison.Ordinal);
        Assert.Equal("", body);
        Assert.Empty(Refusals);
    }

    [Fact]
    public async Task A_malformed_header_is_answered_400_by_kestrel_before_any_app_code_so_without_a_body()
    {
        await using var host = await StartAsync(_ => { });

        var (status, headers, body) = Parse(await ExchangeAsync(host, "GET /healthz HTTP/1.1\r\nHost test\r\n\r\n"));

        Assert.Equal("HTTP/1.1 400 Bad Request", status);
        Assert.Contains("Content-Length: 0", headers, StringComparison.Ordinal);
        Assert.Equal("", body);
        Assert.Empty(Refusals);
    }

    [Fact]
    public async Task Headers_that_arrive_too_slowly_are_answered_408_by_kestrel_before_any_app_code_so_without_a_body()
    {
        await using var host = await StartAsync(l => l.RequestHeadersTimeout = TimeSpan.FromSeconds(1));

        var (status, headers, body) = Parse(await ExchangeAsync(host, "GET /healthz HTTP/1.1\r\nHost: te"));

        Assert.Equal("HTTP/1.1 408 Request Timeout", status);
        Assert.Contains("Content-Length: 0", headers, StringComparison.Ordinal);
        Assert.Equal("", body);
        Assert.Empty(Refusals);
    }
}
