using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Hosting;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// One in-process ASP.NET Core service on 127.0.0.1, the way <c>skylark up</c> and <c>demo</c> host the same
/// services that run standalone as Knative Services: configure services and endpoints, get back its URL.
/// </summary>
public sealed class LocalWebApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalWebApp(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<LocalWebApp> StartAsync(
        string name,
        Action<IServiceCollection> configureServices,
        Action<WebApplication> mapEndpoints,
        int port = 0,
        LogLevel minimumLogLevel = LogLevel.Warning,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        ArgumentNullException.ThrowIfNull(mapEndpoints);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = name });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(minimumLogLevel);
        builder.Services.AddBadRequestAnswers();
        configureServices(builder.Services);
        var app = builder.Build();
        mapEndpoints(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalWebApp(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
