using Skylark.Events.Cli.Commands;

namespace Skylark.Events.Tests.Cli.Commands;

public sealed class ExternalMqttTests
{
    [Fact]
    public void The_url_names_the_user_and_the_password_comes_apart_from_it()
    {
        var broker = ExternalMqtt.Parse("mqtt://skylark-ingest@127.0.0.1:1884", "s3cret");

        Assert.Equal(("skylark-ingest", "s3cret", 1884), (broker.UserName, broker.Password, broker.Port));
        Assert.Null(ExternalMqtt.Parse("mqtt://127.0.0.1:1884", null).UserName);
    }

    [Fact]
    public void A_password_on_the_command_line_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<FormatException>(() => ExternalMqtt.Parse("mqtt://camera:s3cret@127.0.0.1:1883", null));

        Assert.Contains("SKYLARK_MQTT_PASSWORD", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_without_a_user_is_refused() =>
        Assert.Contains("names no user", Assert.Throws<FormatException>(() => ExternalMqtt.Parse("mqtt://127.0.0.1:1883", "s3cret")).Message, StringComparison.Ordinal);
}
