using System.Buffers;
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

    /// <param name="brokers">Where to subscribe, each with an operator's login.</param>
    /// <param name="onAlarm">Called with each alarm as it arrives (on MQTTnet's receive loop, so it must not block).</param>
    /// <param name="cancellationToken">Cancels connecting and subscribing.</param>
    /// <exception cref="InvalidOperationException">A broker refused the login or the subscription.</exception>
    /// <exception cref="MQTTnet.Exceptions.MqttCommunicationException">A broker could not be reached.</exception>
    public static async Task<AlarmListener> StartAsync(IEnumerable<MqttConnection> brokers, CancellationToken cancellationToken, Action<ReceivedAlarm>? onAlarm = null)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        var listener = new AlarmListener();
        try
        {
            foreach (var broker in brokers.Distinct())
            {
                var client = new MqttClientFactory().CreateMqttClient();
                listener._clients.Add(client);
                client.ApplicationMessageReceivedAsync += e =>
                {
                    Interlocked.Increment(ref listener._received);
                    onAlarm?.Invoke(ReceivedAlarm.Parse(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
                    return Task.CompletedTask;
                };
                await broker.ConnectAsync(client, broker.CreateClientOptions($"skylark-demo-alarms-{Guid.NewGuid():N}").Build(), cancellationToken);
                var subscribed = await client.SubscribeAsync($"{MqttAlarmPublisher.TopicPrefix}/#", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);

                // A secured broker answers a forbidden filter with a code, not an error: listening to nothing would look like no alarms.
                var code = subscribed.Items.Single().ResultCode;
                if (code > MqttClientSubscribeResultCode.GrantedQoS2)
                {
                    throw new InvalidOperationException($"MQTT broker {broker} refused the subscription to {MqttAlarmPublisher.TopicPrefix}/# for user '{broker.UserName}': {code}.");
                }
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
