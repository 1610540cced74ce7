using MQTTnet;
using MQTTnet.Formatter;

namespace Skylark.Events.Bindings.Mqtt;

/// <summary>
/// Where an MQTT broker is and how to log in: parsed from <c>mqtt://[user[:password]@]host[:port]</c>
/// (<c>mqtts://</c> for TLS). Every client of ours speaks MQTT 5, because the CloudEvents binary mode needs user properties.
/// </summary>
public sealed record MqttConnection
{
    public const int DefaultPort = 1883;
    public const int DefaultTlsPort = 8883;

    public MqttConnection(string host, int port, bool useTls = false, string? userName = null, string? password = null)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("MQTT broker host is empty.", nameof(host));
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "MQTT broker port must be 1-65535.");
        }

        if (password is not null && userName is null)
        {
            throw new ArgumentException("An MQTT password needs a user name.", nameof(password));
        }

        Host = host;
        Port = port;
        UseTls = useTls;
        UserName = userName;
        Password = password;
    }

    public string Host { get; }

    public int Port { get; }

    public bool UseTls { get; }

    public string? UserName { get; }

    public string? Password { get; }

    /// <summary>The broker's URL without the password, safe to log.</summary>
    public Uri Url => new($"{(UseTls ? "mqtts" : "mqtt")}://{(UserName is null ? "" : Uri.EscapeDataString(UserName) + "@")}{HostForUrl}:{Port}");

    private string HostForUrl => Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('[') ? $"[{Host}]" : Host;

    /// <exception cref="FormatException">The URL is not an MQTT broker URL; the message says why.</exception>
    public static MqttConnection Parse(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new FormatException("MQTT broker URL is empty; expected mqtt://host:port.");
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
        {
            throw new FormatException($"MQTT broker URL '{Redact(url)}' is not an absolute URL; expected mqtt://host:port.");
        }

        var useTls = uri.Scheme.ToLowerInvariant() switch
        {
            "mqtt" or "tcp" => false,
            "mqtts" or "ssl" => true,
            _ => throw new FormatException($"MQTT broker URL '{Redact(url)}' has scheme '{uri.Scheme}'; expected mqtt:// or mqtts://."),
        };

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"MQTT broker URL '{Redact(url)}' has no host.");
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new FormatException($"MQTT broker URL '{Redact(url)}' must not have a path, query or fragment.");
        }

        string? userName = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            userName = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? (useTls ? DefaultTlsPort : DefaultPort) : uri.Port;
        return new MqttConnection(uri.IdnHost.Trim('[', ']'), port, useTls, userName, password);
    }

    /// <summary>MQTT 5 client options for this broker under <paramref name="clientId"/>.</summary>
    public MqttClientOptionsBuilder CreateClientOptions(string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(Host, Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (UseTls)
        {
            builder.WithTlsOptions(tls => tls.UseTls());
        }

        if (UserName is not null)
        {
            builder.WithCredentials(UserName, Password);
        }

        return builder;
    }

    /// <summary>Connects <paramref name="client"/>; a broker that answers the CONNECT with a refusal is an error too.</summary>
    /// <exception cref="InvalidOperationException">The broker refused the connection (e.g. bad user name or password).</exception>
    /// <exception cref="MQTTnet.Exceptions.MqttCommunicationException">The broker could not be reached.</exception>
    public async Task ConnectAsync(IMqttClient client, MqttClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var result = await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"MQTT broker {this} refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd());
        }
    }

    /// <summary>The same broker and user with <paramref name="password"/>, given apart from the URL as a secret is.</summary>
    /// <exception cref="ArgumentException">There is no user name to go with it.</exception>
    public MqttConnection WithPassword(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return new MqttConnection(Host, Port, UseTls, UserName, password);
    }

    public override string ToString() => Url.ToString();

    private static string Redact(string url)
    {
        // Never echo a password back into logs or exception messages.
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? string.Concat(url.AsSpan(0, scheme + 3), "***", url.AsSpan(at)) : url;
    }
}
