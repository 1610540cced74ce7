using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MQTTnet.Protocol;
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

    /// <summary>Where the connection check leaves the authenticated user for the session's later checks.</summary>
    private const string UserItem = "skylark.mqtt.user";

    private EmbeddedMqttServer(MqttServer server, IPAddress address, int port, MqttAccessList? access, ILogger logger)
    {
        _server = server;
        Address = address;
        Port = port;
        Access = access;
        _logger = logger;
        Connection = new MqttConnection(address.ToString(), port);
    }

    /// <summary>Who may connect and do what; null when the server is open to anyone.</summary>
    public MqttAccessList? Access { get; }

    public IPAddress Address { get; }

    /// <summary>The port the server listens on (the one picked when the options said 0).</summary>
    public int Port { get; }

    /// <summary>How clients reach this server (its address, without a user: see <see cref="MqttUser.On"/>).</summary>
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
            EnforceAccess(server, options.Access, log);
            try
            {
                await server.StartAsync().ConfigureAwait(false);
                var started = new EmbeddedMqttServer(server, options.Address, port, options.Access, log);
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

    /// <summary>
    /// Checks every CONNECT, PUBLISH and SUBSCRIBE against <paramref name="access"/>: a client without a known user
    /// name and its password is refused at CONNACK, a publish or subscription outside the user's rules is answered
    /// with Not authorized (0x87) and goes nowhere.
    /// </summary>
    private static void EnforceAccess(MqttServer server, MqttAccessList? access, ILogger logger)
    {
        if (access is null)
        {
            return;
        }

        server.ValidatingConnectionAsync += connecting =>
        {
            var user = access.Authenticate(connecting.UserName, connecting.RawPassword ?? []);
            if (user is null)
            {
                connecting.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                LogConnectRefused(logger, connecting.ClientId, connecting.UserName ?? "(anonymous)");
                return Task.CompletedTask;
            }

            connecting.SessionItems[UserItem] = user;
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += publishing =>
        {
            var user = publishing.SessionItems[UserItem] as MqttUser;
            var topic = publishing.ApplicationMessage.Topic;
            if (user is null || !MqttAccessList.MayPublish(user, topic))
            {
                publishing.ProcessPublish = false;
                publishing.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
                publishing.Response.ReasonString = $"user '{user?.Name}' may not publish to '{topic}'";
                LogPublishRefused(logger, user?.Name ?? "(none)", topic);
            }

            return Task.CompletedTask;
        };
        server.InterceptingSubscriptionAsync += subscribing =>
        {
            var user = subscribing.SessionItems[UserItem] as MqttUser;
            var filter = subscribing.TopicFilter.Topic;
            if (user is null || !MqttAccessList.MaySubscribe(user, filter))
            {
                subscribing.ProcessSubscription = false;
                subscribing.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                subscribing.ReasonString = $"user '{user?.Name}' may not subscribe to '{filter}'";
                LogSubscribeRefused(logger, user?.Name ?? "(none)", filter);
            }

            return Task.CompletedTask;
        };
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused MQTT client {ClientId}: user {User} unknown or wrong password")]
    private static partial void LogConnectRefused(ILogger logger, string clientId, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a publish by MQTT user {User} to {Topic}: not within its topics")]
    private static partial void LogPublishRefused(ILogger logger, string user, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a subscription by MQTT user {User} to {Filter}: not within its topics")]
    private static partial void LogSubscribeRefused(ILogger logger, string user, string filter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT server on {Url} stopped")]
    private static partial void LogStopped(ILogger logger, Uri url);
}
