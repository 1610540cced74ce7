using System.CommandLine;
using System.Globalization;
using MQTTnet.Exceptions;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Hosting;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark cameras --mqtt mqtt://&lt;camera&gt;@host:port [--camera cam-1 …] [--fps 1] [--duration 60s]
/// [--alarms mqtt://operator@host:port] [--seed 1]</c>: simulated cameras feeding a cluster's mosquitto (or any MQTT
/// broker), printing the alarms that come back. The feed itself is <see cref="CameraFeed"/>; this parses and prints.
/// </summary>
public static class CamerasCommand
{
    /// <summary>How long alarms are still read after the last frame: the pipeline is still working on the last frames.</summary>
    public static readonly TimeSpan AlarmLinger = TimeSpan.FromSeconds(5);

    public static Command Create() => Create(Environment.GetEnvironmentVariable);

    /// <param name="environment">Where the passwords are read from (the process environment; a test gives its own).</param>
    public static Command Create(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var mqtt = new Option<string?>("--mqtt")
        {
            Description = $"The broker the cameras publish to, as mqtt://<user>@host:port (the password in {ExternalMqtt.PasswordVariable}, never on the command line). " +
                "On a secured broker (a cluster's mosquitto) a camera's user may publish only under its own id: log in as the camera, and run one skylark cameras per camera.",
        };
        var cameras = new Option<string[]>("--camera")
        {
            Description = "A camera id; it publishes JPEG frames on cameras/<id>/frames (repeatable; default cam-1). Several cameras share the --mqtt user, which an open broker allows and a secured one does not.",
            AllowMultipleArgumentsPerToken = true,
        };
        var fps = new Option<double>("--fps") { Description = "Frames per second per camera.", DefaultValueFactory = _ => 1 };
        var duration = new Option<string>("--duration") { Description = "How long the cameras film: 60s, 2m, 90 (seconds).", DefaultValueFactory = _ => "60s" };
        var alarms = new Option<string?>("--alarms")
        {
            Description = $"Read alarms/# there as this user (e.g. mqtt://operator@host:port; the password in {ExternalMqtt.AlarmsPasswordVariable}), print each, and keep listening {AlarmLinger.TotalSeconds:0} s after the last frame.",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the first camera's synthetic scene (the next cameras take the next seeds).", DefaultValueFactory = _ => 1 };
        var command = new Command("cameras", "Feed an MQTT broker (a cluster's mosquitto) with simulated cameras and print the alarms coming back.")
        {
            mqtt, cameras, fps, duration, alarms, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            CameraFeedOptions options;
            try
            {
                var alarmsUrl = parse.GetValue(alarms);
                options = new CameraFeedOptions
                {
                    Broker = Login(parse.GetValue(mqtt) ?? throw new FormatException("--mqtt is required, e.g. --mqtt mqtt://cam-1@127.0.0.1:1883."), "--mqtt", ExternalMqtt.PasswordVariable, environment),
                    Cameras = parse.GetValue(cameras) is { Length: > 0 } ids ? ids : ["cam-1"],
                    FramesPerSecond = parse.GetValue(fps),
                    Duration = DemoCommand.ParseDuration(parse.GetValue(duration)!),
                    Seed = parse.GetValue(seed),
                    Alarms = alarmsUrl is null ? null : Login(alarmsUrl, "--alarms", ExternalMqtt.AlarmsPasswordVariable, environment),
                    AlarmLinger = alarmsUrl is null ? TimeSpan.Zero : AlarmLinger,
                };
                options.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await error.WriteLineAsync($"skylark cameras: {e.Message}");
                return 2;
            }

            using var stop = new StopSignal(ct);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Publishing {string.Join(", ", options.Cameras)} at {options.FramesPerSecond:0.##} fps for {options.Duration.TotalSeconds:0.#} s to {options.Broker}" +
                $"{(options.Alarms is { } a ? $", reading alarms/# at {a}" : "")} (Ctrl-C stops)."));
            var writing = new Lock();
            CameraFeedReport report;
            try
            {
                report = await new CameraFeed(options).RunAsync(
                    alarm =>
                    {
                        // Alarms arrive on MQTT's receive loop, one broker at a time; the lock keeps lines whole.
                        lock (writing)
                        {
                            output.WriteLine(Describe(alarm));
                        }
                    },
                    stop.Token);
            }
            catch (Exception e) when (e is InvalidOperationException or MqttCommunicationException)
            {
                await error.WriteLineAsync($"skylark cameras: {e.Message}");
                return 1;
            }

            lock (writing)
            {
                output.WriteLine(Summary(report, options.Alarms is not null));
            }

            if (stop.IsStopping)
            {
                await error.WriteLineAsync("skylark cameras: stopped.");
                return 130;
            }

            return 0;
        });
        return command;
    }

    /// <summary>One line per alarm: camera, frame, and what the notice says was seen.</summary>
    public static string Describe(ReceivedAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var c = CultureInfo.InvariantCulture;
        var seq = alarm.Seq is { } n ? n.ToString(c) : "-";
        var zones = alarm.Zones.Count > 0 ? $" in {string.Join(",", alarm.Zones)}" : "";
        var boxes = alarm.Boxes > 0 ? string.Create(c, $", {alarm.Boxes} detection{(alarm.Boxes == 1 ? "" : "s")}{zones}") : zones;
        return $"alarm  {alarm.Camera}  seq {seq}{boxes}";
    }

    public static string Summary(CameraFeedReport report, bool readAlarms)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var perCamera = string.Join(", ", report.FramesPublished.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(c, $"{p.Key} {p.Value}")));
        return string.Create(c, $"Frames published: {report.TotalFrames} ({perCamera})") + Environment.NewLine +
            (readAlarms ? string.Create(c, $"Alarms received: {report.AlarmsReceived}") : "Alarms received: - (no --alarms)");
    }

    private static MqttConnection Login(string url, string option, string variable, Func<string, string?> environment)
    {
        var broker = ExternalMqtt.Parse(url, environment(variable), option, variable);
        return broker.UserName is not null && broker.Password is null
            ? throw new FormatException($"{option} logs in as '{broker.UserName}' but {variable} is not set; put that user's password there (e.g. {variable}=$(cat deploy/out/secrets/mqtt-users/{broker.UserName})).")
            : broker;
    }
}
