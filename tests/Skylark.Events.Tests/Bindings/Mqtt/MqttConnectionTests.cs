using MQTTnet;
using MQTTnet.Formatter;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Bindings.Mqtt;

public class MqttConnectionTests
{
    [Theory]
    [InlineData("mqtt://broker.local", "broker.local", 1883, false)]
    [InlineData("mqtt://127.0.0.1:11883", "127.0.0.1", 11883, false)]
    [InlineData("tcp://10.0.0.5:1884", "10.0.0.5", 1884, false)]
    [InlineData("mqtts://broker.local", "broker.local", 8883, true)]
    [InlineData("MQTT://Broker.Local:2000/", "broker.local", 2000, false)]
    [InlineData("mqtt://[::1]:1883", "::1", 1883, false)]
    public void Parses_host_port_and_tls_from_the_url(string url, string host, int port, bool tls)
    {
        var connection = MqttConnection.Parse(url);

        Assert.Equal((host, port, tls), (connection.Host, connection.Port, connection.UseTls));
        Assert.Null(connection.UserName);
    }

    [Fact]
    public void Takes_url_escaped_credentials_from_the_user_info()
    {
        var connection = MqttConnection.Parse("mqtt://cam%40edge:p%3Ass%2Fw@127.0.0.1:1883");

        Assert.Equal("cam@edge", connection.UserName);
        Assert.Equal("p:ss/w", connection.Password);
    }

    [Fact]
    public void Never_shows_the_password_in_its_url_or_string_form()
    {
        var connection = MqttConnection.Parse("mqtt://user:secret@127.0.0.1:1883");

        Assert.Equal("mqtt://user@127.0.0.1:1883/", connection.Url.ToString());
        Assert.DoesNotContain("secret", connection.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("broker:1883", "scheme 'broker'")]
    [InlineData("http://broker:1883", "scheme 'http'")]
    [InlineData("mqtt://broker:1883/topic", "must not have a path")]
    [InlineData("not a url", "not an absolute URL")]
    public void Refuses_what_is_not_a_broker_url_with_the_reason(string url, string expected)
    {
        var error = Assert.Throws<FormatException>(() => MqttConnection.Parse(url));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Does_not_echo_a_password_in_a_parse_error()
    {
        var error = Assert.Throws<FormatException>(() => MqttConnection.Parse("http://user:secret@broker:1883"));

        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_options_speak_mqtt_5_to_the_parsed_endpoint()
    {
        var options = MqttConnection.Parse("mqtt://u:p@127.0.0.1:4321").CreateClientOptions("cam-1").Build();

        Assert.Equal(MqttProtocolVersion.V500, options.ProtocolVersion);
        Assert.Equal("cam-1", options.ClientId);
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(((MqttClientTcpOptions)options.ChannelOptions).RemoteEndpoint);
        Assert.Equal(("127.0.0.1", 4321), (endpoint.Host, endpoint.Port));
        Assert.Equal("u", options.Credentials.GetUserName(options));
    }

    [Fact]
    public async Task Credentials_from_the_url_log_in_to_a_real_mosquitto_that_requires_them()
    {
        await using var broker = await Mosquitto.StartAsync("camera", "s3cret:/@");
        var url = $"mqtt://camera:{Uri.EscapeDataString("s3cret:/@")}@{broker.Host}:{broker.Port}";

        await using (var probe = await MqttProbe.ConnectAsync(MqttConnection.Parse(url)))
        {
            Assert.True(probe.Client.IsConnected);
        }

        var wrong = new MqttConnection(broker.Host, broker.Port, userName: "camera", password: "wrong");
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(MqttProbe.Timeout);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => wrong.ConnectAsync(client, wrong.CreateClientOptions("intruder").Build(), timeout.Token));
        // mosquitto answers "not authorized" rather than "bad user name or password"; both are refusals.
        Assert.Matches("refused the connection: (NotAuthorized|BadUserNameOrPassword)", error.Message);
        Assert.False(client.IsConnected);
    }
}
