using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Hosting;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// A deployable built in this process the way its Program.cs builds it — <see cref="SkylarkService.CreateBuilder"/>,
/// the service's <c>AddX(builder.Configuration)</c>, its <c>MapX()</c> — on real Kestrel at 127.0.0.1, so a test can
/// reach into its services. Settings are a command line plus <c>SKYLARK_*</c> variables given as a dictionary (they
/// arrive as the environment provider would deliver them, for secrets that never go on a command line); a
/// <see cref="TimeProvider"/> given here replaces the system clock.
/// </summary>
public sealed class DeployableHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private DeployableHost(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<DeployableHost> StartAsync(
        string name,
        string[] args,
        IReadOnlyDictionary<string, string> environment,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map,
        TimeProvider? timeProvider = null,
        ILoggerProvider? logs = null)
    {
        var builder = SkylarkService.CreateBuilder(name, [.. args, "--urls", "http://127.0.0.1:0"]);
        builder.Configuration.AddInMemoryCollection(environment.Select(pair => new KeyValuePair<string, string?>(
            pair.Key.StartsWith(Setting.EnvironmentPrefix, StringComparison.Ordinal) ? pair.Key[Setting.EnvironmentPrefix.Length..] : pair.Key,
            pair.Value)));
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DeployableHost(app, new Uri(address));
    }

    /// <summary>GET /readyz: the status and the body.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> ReadinessAsync()
    {
        using var response = await Client.GetAsync(ServiceHealth.ReadinessPath);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
