using System.Net;
using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Lab.Mqtt;

/// <summary>Where the embedded MQTT server listens. Loopback by default: cameras on other hosts need an explicit address.</summary>
public sealed class EmbeddedMqttServerOptions
{
    /// <summary>IPv4 address to bind.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (tests, several nodes on one machine), read it back from <see cref="EmbeddedMqttServer.Port"/>.</summary>
    public int Port { get; set; } = MqttConnection.DefaultPort;

    /// <summary>
    /// Who may connect and what each may publish and subscribe to. Null runs an open server (anonymous clients, any
    /// topic), for tests of the protocol alone; <c>skylark up</c> and the demo always set one.
    /// </summary>
    public MqttAccessList? Access { get; set; }

    /// <summary>Messages queued per slow subscriber before the oldest are dropped; bounds the server's memory.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 1000;

    public void Validate()
    {
        if (Address is null || Address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"EmbeddedMqttServerOptions.Address must be an IPv4 address; got '{Address}'.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"EmbeddedMqttServerOptions.Port must be 0-65535; got {Port}.");
        }

        if (MaxPendingMessagesPerClient < 1)
        {
            throw new ArgumentException($"EmbeddedMqttServerOptions.MaxPendingMessagesPerClient must be positive; got {MaxPendingMessagesPerClient}.");
        }
    }
}
