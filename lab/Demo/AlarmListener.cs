using MQTTnet;
using MQTTnet.Protocol;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Functions.Alarm.Mqtt;

namespace Skylark.Events.Lab.Demo;

/// <summary>An operator's view of the alarms: an MQTT subscriber on <c>alarms/#</c> that counts what arrives.</summary>
public sealed class AlarmListener : IAsyncDisposable
{
    private readonly List<IMqttClient> _clients = [];
    private long _received;

    public long Received => Interlocked.Read(ref _received);

    public static async Task<AlarmListener> StartAsync(IEnumerable<MqttConnection> brokers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        var listener = new AlarmListener();
        try
        {
            foreach (var broker in brokers.Distinct())
            {
                var client = new MqttClientFactory().CreateMqttClient();
                listener._clients.Add(client);
                client.ApplicationMessageReceivedAsync += _ =>
                {
                    Interlocked.Increment(ref listener._received);
                    return Task.CompletedTask;
                };
                await broker.ConnectAsync(client, broker.CreateClientOptions($"skylark-demo-alarms-{Guid.NewGuid():N}").Build(), cancellationToken);
                await client.SubscribeAsync($"{MqttAlarmPublisher.TopicPrefix}/#", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            }
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }

        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync();
            }

            client.Dispose();
        }
    }
}
