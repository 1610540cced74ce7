using System.Net.Http.Headers;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Predictor;

namespace Skylark.Events.Tests.Predictor.Support;

/// <summary>The Predictor service on real Kestrel at 127.0.0.1, configured as <c>Program.cs</c> would, stopped on dispose.</summary>
internal sealed class PredictorHost : IAsyncDisposable
{
    private static readonly JsonEventFormatter Formatter = new();
    private readonly WebApplication _app;
    private bool _stopped;

    private PredictorHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public HttpClient Client { get; }

    public static async Task<PredictorHost> StartAsync(Action<PredictorOptions> configure)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPredictor(configure);
        var app = builder.Build();
        app.MapPredictor();
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new PredictorHost(app, new Uri(address));
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>POSTs the event in binary mode, as the broker delivers to a Trigger subscriber.</summary>
    public async Task<HttpResponseMessage> PostAsync(CloudEvent cloudEvent)
    {
        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, Formatter);
        return await Client.PostAsync("/", content);
    }

    public async Task<HttpResponseMessage> PostRawAsync(string body, string contentType)
    {
        using var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await Client.PostAsync("/", content);
    }

    /// <summary>Stops the host: accepted completions are decided on and the model is saved before this returns.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
