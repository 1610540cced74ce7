using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Skylark.Events.Bindings;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Support;

/// <summary>The broker running in-process on Kestrel (127.0.0.1, ephemeral port), serving an <see cref="EventingModel"/>.</summary>
public sealed class BrokerHost : IAsyncDisposable
{
    /// <summary>
    /// The Trigger filters the broker under test uses. The exact-attribute stand-in until the real filters are merged;
    /// then this becomes <c>TriggerFilters.Create</c>.
    /// </summary>
    public static readonly Func<TriggerResource, IEventFilter> Filters = TriggerFilters.Create;

    private readonly WebApplication app;
    private bool stopped;

    private BrokerHost(WebApplication app, Uri baseUrl, RecordingLoggerProvider logs)
    {
        this.app = app;
        BaseUrl = baseUrl;
        Logs = logs;
        Client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    /// <summary>A client for the broker (its base address set).</summary>
    public HttpClient Client { get; }

    public RecordingLoggerProvider Logs { get; }

    public BrokerMetrics Metrics => app.Services.GetRequiredService<BrokerMetrics>();

    public IServiceProvider Services => app.Services;

    public static async Task<BrokerHost> StartAsync(EventingModel model, Action<BrokerOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var builder = WebApplication.CreateBuilder();
        var logs = new RecordingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        if (timeProvider is not null)
        {
            builder.Services.TryAddSingleton(timeProvider);
        }

        builder.Services.AddBroker(options =>
        {
            options.Model = model;
            options.FilterFactory = Filters;
            options.ShutdownDrainTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });

        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapBroker();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BrokerHost(app, new Uri(address), logs);
    }

    public Uri BrokerUrl(string broker = TestEventing.BrokerName, string ns = TestEventing.Namespace) => new(BaseUrl, $"/{ns}/{broker}");

    /// <summary>POSTs an event to a broker ingress.</summary>
    public Task<HttpResponseMessage> PostAsync(CloudEvent cloudEvent, ContentMode mode = ContentMode.Binary, string broker = TestEventing.BrokerName)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return Client.PostAsync(BrokerUrl(broker), cloudEvent.ToHttpContent(mode, RawDataJsonEventFormatter.Instance));
    }

    /// <summary>POSTs an event and fails unless the ingress answers 202.</summary>
    public async Task SendAsync(CloudEvent cloudEvent, ContentMode mode = ContentMode.Binary)
    {
        using var response = await PostAsync(cloudEvent, mode);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"Ingress answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// Waits until every accepted event has been delivered, dead-lettered or dropped, replies included — so a test
    /// can assert that something did NOT happen.
    /// </summary>
    public async Task WaitUntilIdleAsync(TimeSpan? timeout = null)
    {
        var inFlight = app.Services.GetRequiredService<InFlightDeliveries>();
        await inFlight.WhenIdleAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>Stops the host as a shutdown would: the broker refuses new events and drains.</summary>
    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await app.DisposeAsync();
    }
}
