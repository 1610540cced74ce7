using System.Collections.Concurrent;
using System.Threading.Channels;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.CameraIngest;

/// <summary>What the sink saw of one request: the event as decoded, and whether it came in binary mode.</summary>
internal sealed record SinkDelivery(CloudEvent Event, bool BinaryMode, int Status);

/// <summary>
/// A real Kestrel endpoint on 127.0.0.1 standing in for the broker ingress: decodes each POST as a CloudEvent and answers
/// with the status the test scripted (202 once the script runs out).
/// </summary>
internal sealed class RecordingSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<SinkDelivery> _deliveries = Channel.CreateUnbounded<SinkDelivery>();
    private readonly ConcurrentQueue<int> _script;
    private int _requests;
    private int _accepted;

    private RecordingSink(WebApplication app, IEnumerable<int> script)
    {
        _app = app;
        _script = new ConcurrentQueue<int>(script);
    }

    public Uri Url { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>While true every request is answered 503 Service Unavailable (a sink that is down), whatever the script says.</summary>
    public bool Down { get; set; }

    /// <summary>Requests answered 2xx so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Requests are answered only once this completes (a slow sink).</summary>
    public Task Hold { get; set; } = Task.CompletedTask;

    /// <param name="script">Statuses to answer, in order, before answering 202 Accepted.</param>
    public static async Task<RecordingSink> StartAsync(params int[] script)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var sink = new RecordingSink(app, script);
        app.MapPost("/", sink.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        sink.Url = new Uri(address + "/");
        return sink;
    }

    public async Task<SinkDelivery> NextAsync()
    {
        using var timeout = new CancellationTokenSource(MqttProbe.Timeout);
        return await _deliveries.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next delivery the sink accepted (skipping scripted failures).</summary>
    public async Task<SinkDelivery> NextAcceptedAsync()
    {
        while (true)
        {
            var delivery = await NextAsync();
            if (delivery.Status is >= 200 and < 300)
            {
                return delivery;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _requests);
        var binary = request.Headers.ContainsKey("ce-specversion");
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance);
        }
        catch (InvalidCloudEventException error)
        {
            return Results.BadRequest(error.Message);
        }

        await Hold;
        var status = Down ? StatusCodes.Status503ServiceUnavailable
            : _script.TryDequeue(out var scripted) ? scripted
            : StatusCodes.Status202Accepted;
        if (status is >= 200 and < 300)
        {
            Interlocked.Increment(ref _accepted);
        }

        _deliveries.Writer.TryWrite(new SinkDelivery(cloudEvent, binary, status));
        return status is >= 200 and < 300 ? Results.StatusCode(status) : Results.Text($"scripted failure {status}", statusCode: status);
    }
}
