using System.Threading.Channels;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>One request as the sink saw it: the decoded CloudEvent plus the raw headers and body.</summary>
public sealed record ReceivedPing(int Number, CloudEvent Event, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A real Kestrel sink on 127.0.0.1 (random port) that records every ping it receives. How it answers request
/// number N (1-based) is up to the test: a status code, possibly after waiting on a gate the test opens.
/// </summary>
public sealed class PingSink : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly WebApplication app;
    private readonly Channel<ReceivedPing> arrivals = Channel.CreateUnbounded<ReceivedPing>();
    private readonly List<ReceivedPing> received = [];
    private readonly TaskCompletionSource aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private int count;

    private PingSink(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedPing> Received
    {
        get
        {
            lock (received)
            {
                return [.. received];
            }
        }
    }

    /// <summary>Completes when a request was aborted by the sender (e.g. a cancelled send).</summary>
    public Task Aborted => aborted.Task;

    /// <param name="respond">Request number (1-based) to status code; by default every request gets 202.</param>
    public static async Task<PingSink> StartAsync(Func<int, CancellationToken, Task<int>>? respond = null)
    {
        respond ??= (_, _) => Task.FromResult(StatusCodes.Status202Accepted);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var sink = new PingSink(app);
        app.MapPost("/{**path}", async context =>
        {
            var number = Interlocked.Increment(ref sink.count);
            ReceivedPing ping;
            try
            {
                ping = await ReadAsync(number, context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A request the sink cannot read fails the test that waits for it, with the reason.
                sink.arrivals.Writer.TryComplete(new InvalidOperationException($"request {number} is not a readable CloudEvent: {e.Message}", e));
                throw;
            }

            lock (sink.received)
            {
                sink.received.Add(ping);
            }

            sink.arrivals.Writer.TryWrite(ping);
            using var registration = context.RequestAborted.Register(() => sink.aborted.TrySetResult());
            using var answering = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, sink.stopping.Token);
            try
            {
                context.Response.StatusCode = await respond(number, answering.Token);
            }
            catch (OperationCanceledException) when (answering.IsCancellationRequested)
            {
                // The sender gave up on us, or the test is over: nothing left to answer.
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        sink.Url = new Uri(address + "/ping");
        return sink;
    }

    private static async Task<ReceivedPing> ReadAsync(int number, HttpContext context)
    {
        context.Request.EnableBuffering();
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        context.Request.Body.Position = 0;
        var cloudEvent = await context.Request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, context.RequestAborted);
        return new ReceivedPing(
            number,
            cloudEvent,
            context.Request.ContentType,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
            copy.ToArray());
    }

    /// <summary>The next ping to arrive (in arrival order), or a failure after 10 s.</summary>
    public async Task<ReceivedPing> NextAsync() =>
        await arrivals.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>An address on 127.0.0.1 where nothing listens: connections are refused.</summary>
    public static Uri Unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/ping");
    }

    public async ValueTask DisposeAsync()
    {
        // Releases answers a test left waiting, so stopping Kestrel does not wait for them.
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
