using System.Buffers;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Skylark.Events.Bindings.Mqtt;

namespace Skylark.Events.Tests.Support;

/// <summary>A received message, copied out of MQTTnet's buffers.</summary>
internal sealed record ProbedMessage(string Topic, byte[] Payload, string? ContentType, IReadOnlyList<MqttUserProperty> UserProperties, MqttQualityOfServiceLevel QualityOfService)
{
    public string? UserProperty(string name) => MqttUserProperties.Find(UserProperties, name);
}

/// <summary>A plain MQTTnet client for tests: publishes what a test says and collects what it subscribed to.</summary>
internal sealed class MqttProbe : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly IMqttClient _client;
    private readonly Channel<ProbedMessage> _received = Channel.CreateUnbounded<ProbedMessage>();

    private MqttProbe(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            var properties = m.UserProperties?.Select(p => MqttUserProperties.Create(p.Name, p.ReadValueAsString())).ToList() ?? [];
            _received.Writer.TryWrite(new ProbedMessage(m.Topic, m.Payload.ToArray(), m.ContentType, properties, m.QualityOfServiceLevel));
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client => _client;

    /// <summary>Messages received and not yet taken with <see cref="NextAsync"/>.</summary>
    public int ReceivedCount => _received.Reader.Count;

    public static async Task<MqttProbe> ConnectAsync(MqttConnection broker, MqttProtocolVersion version = MqttProtocolVersion.V500, params string[] subscriptions)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var probe = new MqttProbe(client);
        var options = broker.CreateClientOptions($"probe-{Guid.NewGuid():N}").WithProtocolVersion(version).Build();
        using var timeout = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(options, timeout.Token);
        foreach (var topic in subscriptions)
        {
            await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);
        }

        return probe;
    }

    /// <summary>How the broker answers a CONNECT from <paramref name="broker"/>'s user (or an anonymous client); the client is let go either way.</summary>
    public static async Task<MqttClientConnectResultCode> TryConnectAsync(MqttConnection broker, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = broker.CreateClientOptions($"probe-{Guid.NewGuid():N}").WithProtocolVersion(version).Build();
        using var timeout = new CancellationTokenSource(Timeout);
        var result = await client.ConnectAsync(options, timeout.Token);
        if (client.IsConnected)
        {
            await client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.NormalDisconnection, "probe done");
        }

        return result.ResultCode;
    }

    /// <summary>Subscribes and returns the broker's answer for <paramref name="filter"/> (Not authorized, Granted QoS 1, …).</summary>
    public async Task<MqttClientSubscribeResultCode> TrySubscribeAsync(string filter)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var result = await _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token);
        return Assert.Single(result.Items).ResultCode;
    }

    /// <summary>Publishes and returns the broker's PUBACK reason code, whatever it is.</summary>
    public async Task<MqttClientPublishReasonCode> TryPublishAsync(MqttApplicationMessage message)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return (await _client.PublishAsync(message, timeout.Token)).ReasonCode;
    }

    public async Task PublishAsync(MqttApplicationMessage message)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var result = await _client.PublishAsync(message, timeout.Token);
        Assert.True(result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers, $"publish to {message.Topic}: {result.ReasonCode}");
    }

    /// <summary>The next message received (in arrival order), within <paramref name="bound"/> (default <see cref="Timeout"/>).</summary>
    public async Task<ProbedMessage> NextAsync(TimeSpan? bound = null)
    {
        using var timeout = new CancellationTokenSource(bound ?? Timeout);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.NormalDisconnection, "probe done");
        }

        _client.Dispose();
    }
}
