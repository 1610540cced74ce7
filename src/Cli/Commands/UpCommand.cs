using System.CommandLine;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Up;
using Skylark.Events.Topology;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark up --topology &lt;file&gt; [--eventing &lt;extra.yaml&gt;]… [--endpoints-file &lt;path&gt;]</c>: runs a whole
/// topology on this machine until SIGINT/SIGTERM, then stops every process it started.
/// </summary>
public static class UpCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Topology YAML (nodes, links, snapshots).", Required = true };
        var eventing = new Option<string[]>("--eventing") { Description = "More Knative YAML on top of eventing/ (repeatable).", AllowMultipleArgumentsPerToken = false };
        var endpoints = new Option<FileInfo?>("--endpoints-file") { Description = "Write the endpoints JSON here." };
        var journal = new Option<DirectoryInfo?>("--journal") { Description = "Make the broker durable: journal accepted events in this folder (docs/journal.md)." };
        var journalRepair = new Option<bool>("--journal-repair") { Description = "Start on a journal damaged other than by a torn tail: quarantine the damaged bytes and recover every intact record (docs/journal.md)." };
        var serving = new Option<string>("--serving")
        {
            Description = "How function events find an instance, as the manifests are rendered: round-robin (one Knative Service per function, Knative's spreading) or locality-aware (one per node, routed by the event's state node). With --manifests the folder decides.",
            DefaultValueFactory = _ => "round-robin",
        };
        serving.AcceptOnlyFromAmong("round-robin", "locality-aware");
        var mode = new Option<string>("--mode") { Description = "skylark (predict + propagate), ondemand (pull when invoked) or central (all state in the cloud's Redis).", DefaultValueFactory = _ => "skylark" };
        mode.AcceptOnlyFromAmong([.. StateModes.Names]);
        var processes = new Option<bool>("--processes")
        {
            Description = "Run every service instance as its own OS process from its own Program, as pods (supervised: a process or redis-server that dies is restarted).",
        };
        var workDirectory = new Option<DirectoryInfo?>("--work-dir") { Description = "Where dead letters, the journal of --processes and the processes' logs go (default .skylark/up)." };
        var mqtt = new Option<string?>("--mqtt") { Description = "Ingest cameras from this MQTT broker (e.g. mqtt://user@127.0.0.1:1883; the password in SKYLARK_MQTT_PASSWORD) instead of an embedded server per node hosting preprocess." };
        var redisFsync = new Option<string>("--redis-fsync")
        {
            Description = "How often each node's redis-server flushes its append-only file: always, everysec or no (AOF kept, the OS flushes), or off (no persistence: a restarted redis-server comes back empty).",
            DefaultValueFactory = _ => RedisPersistence.Name(RedisFsync.EverySec),
        };
        redisFsync.AcceptOnlyFromAmong([.. RedisPersistence.Names]);
        var manifests = ManifestsOption.Create();
        var auth = AuthOption.Create();
        var tracesPerSecond = TraceRateOption.Create();
        var controlPlane = new ControlPlaneOptions();
        var command = new Command("up", "Run a multi-node topology on this machine: Redis and a StateSink per node, link emulation, the broker.")
        {
            topology, eventing, endpoints, journal, journalRepair, serving, mode, mqtt, processes, workDirectory, redisFsync, manifests, auth, tracesPerSecond,
        };
        controlPlane.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            MqttConnection? external;
            double? traceRate;
            try
            {
                external = parse.GetValue(mqtt) is { } url ? ExternalMqtt.Parse(url) : null;
                traceRate = TraceRateOption.Parse(parse.GetValue(tracesPerSecond));
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"skylark up: {e.Message}");
                return Task.FromResult(2);
            }

            return RunAsync(
            new UpOptions
            {
                TopologyPath = parse.GetRequiredValue(topology).FullName,
                EventingPath = SkylarkHome.Path("eventing"),
                ExtraEventing = parse.GetValue(eventing) ?? [],
                ManifestsPath = parse.GetValue(manifests)?.FullName,
                EndpointsFile = parse.GetValue(endpoints)?.FullName,
                JournalDirectory = parse.GetValue(journal)?.FullName,
                JournalRepair = parse.GetValue(journalRepair),
                Serving = parse.GetValue(serving) == "locality-aware" ? ServingPolicy.LocalityAware : ServingPolicy.RoundRobin,
                Mode = StateModes.Parse(parse.GetValue(mode)!),
                RedisFsync = RedisPersistence.Parse(parse.GetValue(redisFsync)!),
                CameraIngest = new CameraIngestSetup { ExternalBroker = external },
                ControlNode = parse.GetValue(controlPlane.Node),
                InstantControlPlane = parse.GetValue(controlPlane.Instant),
                Auth = AuthOption.IsOn(parse.GetValue(auth)),
                WorkDirectory = parse.GetValue(workDirectory)?.FullName ?? SkylarkHome.Path(".skylark", "up"),
                Progress = new LineProgress(Console.Out),
            },
            parse.GetValue(processes),
            traceRate,
            ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(UpOptions options, bool processes, double? tracesPerSecond, CancellationToken ct)
    {
        using var stop = new StopSignal(ct);
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning));

        // The dashboard comes first: the cluster's Triggers deliver the workflows' events to its observer, and under
        // --processes the services export their spans to it. Either way the spans are kept for the dashboard and
        // skylark trace (docs/tracing.md); a store fed by processes must not also listen to this process's sources.
        using var traces = new Lab.Observability.TraceStore(listen: !processes, sampler: new Lab.Observability.TraceSampler(tracesPerSecond));
        await using var dashboard = await DashboardApp.StartObservingAsync(options.EventingPath, traces, LogLevel.Warning, receiveTraces: processes, stop.Token);
        options = options with
        {
            ExtraTriggers = [.. options.ExtraTriggers, dashboard.ObserverTrigger!],
            TraceCollector = processes ? dashboard.Url : null,
        };
        IUpCluster cluster;
        try
        {
            cluster = processes
                ? await ProcessCluster.StartAsync(options, loggerFactory, stop.Token)
                : await EmulatedCluster.StartAsync(options, loggerFactory, stop.Token);
        }
        catch (Exception e) when (e is TopologyValidationException or ResourceValidationException or RedisServerNotFoundException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"skylark up: {e.Message}");
            return 1;
        }

        await using (cluster)
        {
            dashboard.Feed.Attach(cluster);
            var endpoints = cluster.Endpoints with { Dashboard = dashboard.Url };
            if (options.EndpointsFile is { } path)
            {
                await endpoints.WriteAsync(path, stop.Token);
            }

            await Console.Out.WriteLineAsync($"Topology '{cluster.Topology.Name}': {cluster.Topology.Nodes.Count} nodes, snapshot '{cluster.Clock.Current.Name}', mode {cluster.Mode.Name()}.");
            if (cluster is ProcessCluster supervised)
            {
                await Console.Out.WriteLineAsync($"Every service instance is its own process ({supervised.Processes.Count}, plus {supervised.Redis.Count} redis-servers), supervised; their logs: {supervised.LogDirectory}");
            }

            await Console.Out.WriteLineAsync($"Broker ingress: {endpoints.Broker}");
            await Console.Out.WriteLineAsync($"Dashboard: {dashboard.Url}");
            await Console.Out.WriteLineAsync(cluster.InstantControlPlane
                ? $"Control plane on {cluster.ControlNode}, instant (its events do not cross the emulated links)."
                : $"Control plane on {cluster.ControlNode}: events to and from other nodes cross the emulated links.");
            foreach (var (node, node_endpoints) in endpoints.Nodes)
            {
                var functions = string.Join(", ", cluster.Topology.GetNode(node).Functions);
                var cameras = node_endpoints.Mqtt is { } broker ? $"  cameras: {broker}" : "";
                await Console.Out.WriteLineAsync($"  {node,-10} redis {node_endpoints.Redis}  sink {node_endpoints.Sink}  {(functions.Length > 0 ? "functions: " + functions : "")}{cameras}");
            }

            if (endpoints.Tokens is { } tokens)
            {
                await Console.Out.WriteLineAsync(
                    $"Sender identity on: the broker and the StateSinks verify bearer tokens and apply the EventPolicies; identities {string.Join(", ", tokens.Keys)}" +
                    (options.EndpointsFile is null ? " (their tokens: write an endpoints file with --endpoints-file)." : " (their tokens are in the endpoints file)."));
            }
            else
            {
                await Console.Error.WriteLineAsync(AuthOption.Warning);
            }

            if (endpoints.MqttPasswords is { } users)
            {
                // Names only: the passwords are in the endpoints file (0600), not on a terminal or in a log.
                await Console.Out.WriteLineAsync(
                    $"MQTT needs a login: users {string.Join(", ", users.Keys)}" +
                    (options.EndpointsFile is null ? " (their passwords: write an endpoints file with --endpoints-file)." : " (their passwords are in the endpoints file)."));
            }

            if (options.EndpointsFile is not null)
            {
                await Console.Out.WriteLineAsync($"Endpoints: {options.EndpointsFile}");
            }

            await Console.Out.WriteLineAsync("Running; Ctrl-C (SIGINT) or SIGTERM stops everything.");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                await Console.Out.WriteLineAsync("Stopping…");
            }
        }

        return 0;
    }
}
