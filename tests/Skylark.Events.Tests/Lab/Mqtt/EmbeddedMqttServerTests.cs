using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Mqtt;

public class EmbeddedMqttServerTests
{
    [Fact]
    public async Task Listens_on_a_free_loopback_port_and_relays_messages_between_clients()
    {
        await using var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0 });
        Assert.True(server.IsRunning);
        Assert.NotEqual(0, server.Port);
        Assert.Equal(new Uri($"mqtt://127.0.0.1:{server.Port}"), server.Connection.Url);

        await using var subscriber = await MqttProbe.ConnectAsync(server.Connection, subscriptions: "cameras/+/frames");
        await using var publisher = await MqttProbe.ConnectAsync(server.Connection);
        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("cameras/cam-1/frames")
            .WithPayload([1, 2, 3])
            .WithContentType("image/jpeg")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUtf8UserProperty("seq", "7")
            .Build());

        var received = await subscriber.NextAsync();
        Assert.Equal("cameras/cam-1/frames", received.Topic);
        Assert.Equal([1, 2, 3], received.Payload);
        Assert.Equal("image/jpeg", received.ContentType);
        Assert.Equal("7", received.UserProperty("seq"));
    }

    [Fact]
    public async Task A_taken_port_is_a_clear_error()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = port }));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_closes_the_port_and_may_be_repeated()
    {
        var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0 });
        var port = server.Port;

        await server.StopAsync();
        await server.DisposeAsync();

        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public void Refuses_options_it_cannot_honour()
    {
        Assert.Throws<ArgumentException>(() => new EmbeddedMqttServerOptions { Address = IPAddress.IPv6Loopback }.Validate());
        Assert.Throws<ArgumentException>(() => new EmbeddedMqttServerOptions { Port = 70000 }.Validate());
    }
}
