using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MQTTnet.Server;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Lab.Mqtt;

/// <summary>
/// An MQTT 5 broker inside this process (MQTTnet.Server) for a node without an external broker: cameras publish to it,
/// the ingest bridge and alarm subscribers connect to it like to any broker (see <see cref="Connection"/>).
/// </summary>
public sealed partial class EmbeddedMqttServer : IAsyncDisposable
{
    private const int FreePortAttempts = 5;

    private readonly MqttServer _server;
    private readonly ILogger _logger;
    private int _stopped;

    private EmbeddedMqttServer(MqttServer server, IPAddress address, int port, ILogger logger)
    {
        _server = server;
        Address = address;
        Port = port;
        _logger = logger;
        Connection = new MqttConnection(address.ToString(), port);
    }

    public IPAddress Address { get; }

    /// <summary>The port the server listens on (the one picked when the options said 0).</summary>
    public int Port { get; }

    /// <summary>How clients reach this server.</summary>
    public MqttConnection Connection { get; }

    public bool IsRunning => _server.IsStarted;

    /// <exception cref="InvalidOperationException">The server could not listen (e.g. the port is taken); the message says where.</exception>
    public static async Task<EmbeddedMqttServer> StartAsync(
        EmbeddedMqttServerOptions? options = null,
        ILogger<EmbeddedMqttServer>? logger = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedMqttServerOptions();
        options.Validate();
        ILogger log = logger ?? (ILogger)NullLogger.Instance;
        var attempts = options.Port == 0 ? FreePortAttempts : 1;
        SocketException? lastFailure = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // MQTTnet does not report the port it bound, so for "any free port" we probe one and retry if another
            // process takes it between the probe and the bind.
            var port = options.Port == 0 ? FreePort(options.Address) : options.Port;
            var server = CreateServer(options, port);
            try
            {
                await server.StartAsync().ConfigureAwait(false);
                var started = new EmbeddedMqttServer(server, options.Address, port, log);
                LogStarted(log, started.Connection.Url);
                return started;
            }
            catch (SocketException error)
            {
                lastFailure = error;
                await StopQuietlyAsync(server).ConfigureAwait(false);
                server.Dispose();
            }
        }

        throw new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture, $"The embedded MQTT server could not listen on {options.Address}:{options.Port}: {lastFailure?.Message}"),
            lastFailure);
    }

    /// <summary>Disconnects every client and stops listening. Safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await StopQuietlyAsync(_server).ConfigureAwait(false);
        _server.Dispose();
        LogStopped(_logger, Connection.Url);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static MqttServer CreateServer(EmbeddedMqttServerOptions options, int port)
    {
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(options.Address)
            .WithDefaultEndpointPort(port)
            .WithMaxPendingMessagesPerClient(options.MaxPendingMessagesPerClient)
            .Build();

        // IPv4 only: binding IPv6-any as well would expose a "loopback" server on every interface.
        serverOptions.DefaultEndpointOptions.BoundInterNetworkV6Address = IPAddress.None;
        return new MqttServerFactory().CreateMqttServer(serverOptions);
    }

    private static async Task StopQuietlyAsync(MqttServer server)
    {
        if (!server.IsStarted)
        {
            return;
        }

        try
        {
            await server.StopAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Already torn down.
        }
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT server listening on {Url}")]
    private static partial void LogStarted(ILogger logger, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT server on {Url} stopped")]
    private static partial void LogStopped(ILogger logger, Uri url);
}
