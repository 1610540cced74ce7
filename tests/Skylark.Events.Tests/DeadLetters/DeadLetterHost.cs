using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Bindings;
using Skylark.Events.DeadLetters;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.DeadLetters;

/// <summary>The dead-letters service on Kestrel (127.0.0.1, ephemeral port) over one log file, with its logs recorded.</summary>
internal sealed class DeadLetterHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DeadLetterHost(WebApplication app, RecordingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        Client = new HttpClient
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()),
        };
    }

    public HttpClient Client { get; }

    public RecordingLoggerProvider Logs { get; }

    public DeadLetterLog Log => _app.Services.GetRequiredService<DeadLetterLog>();

    public DeadLetterMetricsSnapshot Metrics => _app.Services.GetRequiredService<DeadLetterMetrics>().Snapshot();

    /// <exception cref="Skylark.Events.Hosting.ServiceConfigurationException">The log refused to open.</exception>
    public static async Task<DeadLetterHost> StartAsync(
        string logPath, Action<DeadLetterOptions>? configure = null, RecordingLoggerProvider? logs = null, TimeProvider? time = null)
    {
        logs ??= new RecordingLoggerProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddDeadLetters(options =>
        {
            options.LogPath = logPath;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapDeadLetters();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new DeadLetterHost(app, logs);
    }

    /// <summary>A dead letter as the broker sends one: the failed event in binary mode with Knative's error attributes.</summary>
    public static CloudEvent DeadLetter(string id, int code, string? response, string destination = "http://detect.skylark.svc/", string data = """{"frame":7}""")
    {
        var cloudEvent = new CloudEvent
        {
            Id = id,
            Type = "io.skylark.camera.frame",
            Source = new Uri("/cameras/cam-1", UriKind.Relative),
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes(data),
        };
        cloudEvent[KnativeErrorAttributes.Destination] = destination;
        cloudEvent[KnativeErrorAttributes.Code] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (response is not null)
        {
            cloudEvent[KnativeErrorAttributes.Data] = Convert.ToBase64String(Encoding.UTF8.GetBytes(response));
        }

        return cloudEvent;
    }

    public Task<HttpResponseMessage> PostAsync(CloudEvent cloudEvent, ContentMode mode = ContentMode.Binary) =>
        PostAsync(Client, cloudEvent, mode);

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, CloudEvent cloudEvent, ContentMode mode = ContentMode.Binary)
    {
        using var content = cloudEvent.ToHttpContent(mode, RawDataJsonEventFormatter.Instance);
        return await client.PostAsync(new Uri("/", UriKind.Relative), content);
    }

    /// <summary>Posts and expects 201 with the sequence.</summary>
    public async Task<long> StoreAsync(CloudEvent cloudEvent, ContentMode mode = ContentMode.Binary)
    {
        using var response = await PostAsync(cloudEvent, mode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("sequence").GetInt64();
    }

    public Task<JsonDocument> ListAsync(string query = "") => ListAsync(Client, query);

    public static async Task<JsonDocument> ListAsync(HttpClient client, string query = "")
    {
        using var response = await client.GetAsync(new Uri("/dead-letters" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        return JsonDocument.Parse(body);
    }

    public static long[] Sequences(JsonDocument listing) =>
        [.. listing.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64())];

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
