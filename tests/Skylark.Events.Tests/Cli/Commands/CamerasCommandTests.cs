using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Skylark.Events.Cli;
using Skylark.Events.Cli.Commands;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Commands;

/// <summary><c>skylark cameras</c>: simulated cameras feeding an MQTT broker; the passwords come from the environment only.</summary>
public sealed class CamerasCommandTests
{
    [Fact]
    public void Is_a_command_of_skylark() =>
        Assert.Contains(SkylarkCommandLine.CreateRootCommand().Subcommands, c => c.Name == "cameras");

    [Theory]
    [InlineData("--mqtt mqtt://cam-1@127.0.0.1:1883", "SKYLARK_MQTT_PASSWORD is not set")]
    [InlineData("--mqtt mqtt://127.0.0.1:1883 --alarms mqtt://operator@127.0.0.1:1883", "SKYLARK_MQTT_ALARMS_PASSWORD is not set")]
    [InlineData("--mqtt mqtt://cam-1:s3cret@127.0.0.1:1883", "--mqtt carries a password")]
    [InlineData("--mqtt http://127.0.0.1:1883", "expected mqtt://")]
    [InlineData("--fps 1", "--mqtt is required")]
    [InlineData("--mqtt mqtt://127.0.0.1:1883 --duration 10x", "unknown unit 'x'")]
    public async Task A_missing_password_or_a_bad_url_stops_it_with_exit_code_2_before_anything_connects(string args, string message)
    {
        var (exit, _, error) = await RunAsync(args.Split(' '), _ => null);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_ends_it_with_exit_code_1_and_one_message_without_a_stack_trace()
    {
        var (exit, _, error) = await RunAsync(["--mqtt", $"mqtt://127.0.0.1:{ClosedPort()}", "--duration", "1s"], _ => null);

        Assert.Equal(1, exit);
        Assert.Contains("could not connect", error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_in_as_the_url_s_user_with_the_password_from_the_environment_and_counts_the_frames_published()
    {
        var access = MqttAccessList.WithServices();
        var camera = access.Camera("cam-1");
        await using var server = await EmbeddedMqttServer.StartAsync(new EmbeddedMqttServerOptions { Port = 0, Access = access });
        await using var ingest = await MqttProbe.ConnectAsync(access[MqttAccessList.IngestUser].On(server.Connection), subscriptions: "cameras/#");
        Func<string, string?> environment = name => name == ExternalMqtt.PasswordVariable ? camera.Password : null;

        var (exit, output, error) = await RunAsync(["--mqtt", $"mqtt://cam-1@127.0.0.1:{server.Port}", "--fps", "3", "--duration", "1s"], environment);

        Assert.True(exit == 0, error);
        Assert.Contains("Frames published: 3 (cam-1 3)", output, StringComparison.Ordinal);
        Assert.Equal("cameras/cam-1/frames", (await ingest.NextAsync()).Topic);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string[] args, Func<string, string?> environment)
    {
        var root = new RootCommand { CamerasCommand.Create(environment) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(["cameras", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>A loopback port nothing listens on: bound and released, so connecting is refused at once.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
