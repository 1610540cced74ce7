using System.Threading.Channels;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.Tests.Predictor.Support;

/// <summary>A real HTTP server standing in for the broker ingress (<c>POST /skylark/default</c>): it records every event it accepts.</summary>
internal sealed class BrokerIngressRecorder : IAsyncDisposable
{
    private static readonly JsonEventFormatter Formatter = new();
    private readonly WebApplication _app;
    private readonly Channel<CloudEvent> _received = Channel.CreateUnbounded<CloudEvent>();
    private readonly List<CloudEvent> _events = [];

    private BrokerIngressRecorder(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<BrokerIngressRecorder> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var recorder = new BrokerIngressRecorder(app);
        app.MapPost("/skylark/default", async context =>
        {
            var cloudEvent = await context.Request.ReadCloudEventAsync(Formatter, context.RequestAborted);
            await recorder._received.Writer.WriteAsync(cloudEvent, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        recorder.Url = new Uri(new Uri(address), "/skylark/default");
        return recorder;
    }

    /// <summary>Waits until <paramref name="count"/> events in all have arrived; returns all of them.</summary>
    public async Task<IReadOnlyList<CloudEvent>> WaitForAsync(int count, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (_events.Count < count)
        {
            try
            {
                _events.Add(await _received.Reader.ReadAsync(cancellation.Token));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"only {_events.Count} of {count} events reached the ingress within {timeout}.");
            }
        }

        return _events;
    }

    /// <summary>Every event that has arrived so far, without waiting.</summary>
    public IReadOnlyList<CloudEvent> Arrived()
    {
        while (_received.Reader.TryRead(out var cloudEvent))
        {
            _events.Add(cloudEvent);
        }

        return _events;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
