using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Lab.Mqtt;

/// <summary>Runs the <see cref="EmbeddedMqttServer"/> for the lifetime of a host. Register it before its clients so it listens before they connect.</summary>
public sealed class EmbeddedMqttServerHost(EmbeddedMqttServerOptions options, ILogger<EmbeddedMqttServer>? logger = null) : IHostedService, IAsyncDisposable
{
    private EmbeddedMqttServer? _server;

    /// <summary>The running server; null before the host started or after it stopped.</summary>
    public EmbeddedMqttServer? Server => _server;

    /// <exception cref="InvalidOperationException">The server is not running.</exception>
    public MqttConnection Connection =>
        _server?.Connection ?? throw new InvalidOperationException("The embedded MQTT server is not running; it starts with the host, before the services that use it.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _server = await EmbeddedMqttServer.StartAsync(options, logger, cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is not null)
        {
            await server.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
