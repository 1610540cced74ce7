using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Dashboard;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Up;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Lab.Up;

/// <summary>
/// <c>skylark up --processes</c> on topologies/three-nodes.yaml: every service instance its own OS process started from
/// its own Program, passing the same end-to-end checks as the in-process runtime (<see cref="UpScenarios"/>), with MQTT
/// cameras in and alarms out.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class ProcessClusterTests(ProcessClusterTests.Running running) : IClassFixture<ProcessClusterTests.Running>
{
    private static readonly string[] ThreeNodesInstances =
    [
        "alarm-cloud", "broker", "camera-ingest-edge", "dead-letters", "detect-sat", "predictor", "preprocess-edge",
        "statesink-cloud", "statesink-edge", "statesink-sat",
    ];

    [Fact]
    public async Task Every_service_instance_is_its_own_process_answering_the_service_contract()
    {
        var cluster = running.Cluster;

        Assert.Equal(ThreeNodesInstances, cluster.Processes.Keys.Order(StringComparer.Ordinal));
        var pids = cluster.Processes.Values.Select(p => p.ProcessId).ToList();
        Assert.All(pids, pid => Assert.NotNull(pid));
        Assert.Equal(pids.Count, pids.Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, pids.Select(p => p!.Value));
        using var http = new HttpClient();
        foreach (var process in cluster.Processes.Values)
        {
            Assert.Equal("ok", (await http.GetStringAsync(new Uri(process.Url, "healthz"))).Trim());

            // Another test of this class may have just killed a process this one depends on; it recovers.
            await Poll.UntilAsync(() => IsReadyAsync(http, process.Url), $"{process.Name} is ready", TimeSpan.FromSeconds(20));
            Assert.Contains("# TYPE", await http.GetStringAsync(new Uri(process.Url, "metrics")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_endpoints_file_is_the_one_the_in_process_runtime_writes()
    {
        var file = Path.Combine(running.Work.Path, "endpoints.json");

        await running.Cluster.Endpoints.WriteAsync(file, CancellationToken.None);
        var endpoints = await EndpointsFile.ReadAsync(file, CancellationToken.None);

        Assert.Equal(["cloud", "edge", "sat"], endpoints.Nodes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(running.Cluster.BrokerIngress, endpoints.Broker);
        Assert.Equal(running.Cluster.Processes["statesink-edge"].Url, endpoints.Nodes["edge"].Sink);
        Assert.Equal(new Uri($"mqtt://127.0.0.1:{running.Cluster.CameraBrokers["edge"].Port}"), endpoints.Nodes["edge"].Mqtt);
        Assert.All(endpoints.Nodes.Values, n => Assert.False(string.IsNullOrEmpty(n.RedisPassword)));

        // The MQTT logins a person or camera needs, with this run's passwords; the file is for its owner's eyes only.
        Assert.Equal(running.Cluster.CameraBrokers["edge"].Password, endpoints.MqttPasswords!["operator"]);
        Assert.Equal(running.Cluster.CameraBroker("edge", "cam-1").Password, endpoints.MqttPasswords["cam-1"]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task Each_service_connects_to_its_nodes_redis_as_its_own_user_and_a_function_cannot_write_another_functions_bundle()
    {
        var edge = running.Cluster.Redis["edge"];
        var admin = ConfigurationOptions.Parse(edge.Endpoint);
        admin.Password = edge.Password;
        await using var lab = await ConnectionMultiplexer.ConnectAsync(admin);
        var preprocess = new StateOptions { Configuration = edge.Endpoint, User = "preprocess", Password = edge.Users["preprocess"].Password, Node = "edge" };
        await using var function = await ConnectionMultiplexer.ConnectAsync(preprocess.ToRedisConfiguration());

        // A restarted service (another test of this class kills one) reconnects within a moment.
        await Poll.UntilAsync(
            async () =>
            {
                var clients = (string)(await lab.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!;
                return new[] { "preprocess", "statesink", "camera-ingest" }.All(u => clients.Contains($" user={u} ", StringComparison.Ordinal));
            },
            "preprocess, the StateSink and the camera ingest are connected to edge's Redis as their own users",
            TimeSpan.FromSeconds(20));
        var forged = new BundleStore(function, preprocess);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => forged.WriteAsync(new StateRef("edge", "wf-acl", "detect"), new Dictionary<string, ReadOnlyMemory<byte>> { ["x"] = new byte[] { 1 } }));

        Assert.Contains("NOPERM", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["alarm", "camera-ingest", "detect", "predictor", "preprocess", "statesink"], edge.Users.Keys.Order(StringComparer.Ordinal));

        // The Predictor keeps its model in the control node's Redis, as its own user too.
        var cloud = ConfigurationOptions.Parse(running.Cluster.Redis["cloud"].Endpoint);
        cloud.Password = running.Cluster.Redis["cloud"].Password;
        await using var control = await ConnectionMultiplexer.ConnectAsync(cloud);
        await Poll.UntilAsync(
            async () => ((string)(await control.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!).Contains(" user=predictor ", StringComparison.Ordinal),
            "the Predictor is connected to cloud's Redis as the user predictor",
            TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Each_service_reads_its_token_from_an_owner_only_file_never_from_its_command_line_and_anonymous_senders_are_refused()
    {
        var cluster = running.Cluster;
        var tokens = cluster.Endpoints.Tokens!;
        var identity = Path.Combine(running.Work.Path, "identity");

        foreach (var process in cluster.Processes.Values)
        {
            var commandLine = await File.ReadAllTextAsync($"/proc/{process.ProcessId}/cmdline");
            Assert.DoesNotContain(tokens.Values, token => commandLine.Contains(token, StringComparison.Ordinal));
        }

        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.GetFiles(Path.Combine(identity, "tokens")).Append(Path.Combine(identity, "issuer-key.pem")))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        var propagate = UpScenarios.Propagate(StateRef.Parse("edge/wf-anonymous/preprocess.frame"), to: "cloud");
        Assert.Equal(HttpStatusCode.Unauthorized, await UpScenarios.PostAnonymouslyAsync(cluster.BrokerIngress, propagate));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpScenarios.PostAnonymouslyAsync(cluster.Endpoints.Nodes["cloud"].Sink, propagate));
        Assert.Equal(HttpStatusCode.Forbidden, await UpScenarios.PostAsync(cluster.Endpoints, propagate, identity: ClusterIdentity.CameraIngest));
    }

    [Fact]
    public Task A_propagate_event_sent_to_the_broker_lands_the_bundle_on_the_target_node_and_nowhere_else() =>
        UpScenarios.A_propagate_event_lands_the_bundle_on_the_target_node_and_nowhere_else(running.Cluster.Endpoints, "wf-processes-1");

    [Fact]
    public Task A_completion_sent_to_the_broker_makes_the_predictor_move_its_output_to_the_successors_node() =>
        UpScenarios.A_completion_makes_the_predictor_move_the_output_to_the_successors_node(running.Cluster.Endpoints, "wf-processes-2");

    [Fact]
    public async Task Frames_published_by_a_camera_on_mqtt_become_alarms_on_mqtt()
    {
        var cluster = running.Cluster;
        // Its own camera's alarms only: another test's frames may still be raising some.
        await using var alarms = await MqttProbe.ConnectAsync(cluster.AlarmBrokers["cloud"], subscriptions: "alarms/cam-processes");
        await using var camera = new CameraPublisher(cluster.CameraBroker("edge", "cam-processes"));
        var simulator = new CameraSimulator("cam-processes", new SyntheticScene(7, new SyntheticSceneOptions(objectCount: 2)), framesPerSecond: 10);

        // Detect learns the background from the first frames; people walking through the scene then raise alarms.
        using var filming = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var publishing = camera.PublishAsync(simulator, maxFrames: 400, filming.Token);
        var alarm = await alarms.NextAsync(TimeSpan.FromSeconds(60));
        await filming.CancelAsync();

        // MQTTnet reports a publish cut short by the cancellation as a timeout.
        var stopped = await Record.ExceptionAsync(() => publishing);
        Assert.True(stopped is null or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException, stopped?.ToString());

        Assert.Equal("alarms/cam-processes", alarm.Topic);
    }

    [Fact]
    public async Task A_cameras_workflow_is_one_trace_of_every_service_process_served_by_the_dashboard()
    {
        var cluster = running.Cluster;
        var traces = running.Traces;
        await using var camera = new CameraPublisher(cluster.CameraBroker("edge", "cam-traces"));
        var simulator = new CameraSimulator("cam-traces", new SyntheticScene(11, new SyntheticSceneOptions(objectCount: 2)), framesPerSecond: 4);

        // A few frames only: the workflows they start must be done before the next test of the class kills a process
        // on a bound of its own.
        using var filming = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await camera.PublishAsync(simulator, maxFrames: 24, filming.Token);

        // Spans arrive in each process's batches, so a workflow's trace fills in over a moment: wait for a complete one,
        // every span's parent in it.
        // Looking through every kept trace is not free, and ten processes share the machine: look a few times a second.
        TraceView? complete = null;
        var looked = Stopwatch.StartNew();
        await Poll.UntilAsync(
            () =>
            {
                if (looked.ElapsedMilliseconds < 250)
                {
                    return false;
                }

                looked.Restart();
                complete = traces.Workflows().Select(traces.Find).OfType<TraceView>().FirstOrDefault(IsComplete);
                return complete is not null;
            },
            $"a workflow's trace holds spans of the camera ingest, broker, the three functions, the Predictor and a StateSink pull ({traces.Count} traces kept)",
            TimeSpan.FromSeconds(60));

        Assert.NotNull(complete);
        Assert.All(complete.Spans, s => Assert.NotNull(s.Node));
        var pull = complete.Spans.First(s => s.Service == "StateSink" && s.Name == "pull");
        Assert.NotNull(pull.Attributes[CloudEventTracing.TargetNodeTag]);

        // The dashboard serves that trace in the one shape skylark trace reads.
        using var http = new HttpClient();
        using var served = JsonDocument.Parse(await http.GetStringAsync(new Uri(running.Dashboard.Url, $"api/traces/{complete.WorkflowId}")));
        Assert.Equal(complete.TraceId, served.RootElement.GetProperty("traceId").GetString());
        var services = served.RootElement.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("service").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "CameraIngest", "Broker", "Functions", "Predictor", "StateSink" }, services);
    }

    private static bool IsComplete(TraceView trace)
    {
        var spans = trace.Spans;
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        return spans.Count(s => s.ParentSpanId is null) == 1
            && spans.Single(s => s.ParentSpanId is null).Service == "CameraIngest"
            && spans.All(s => s.ParentSpanId is null || ids.Contains(s.ParentSpanId))
            && spans.Any(s => s.Service == "Broker")
            && spans.Any(s => s.Service == "Predictor")
            && new[] { "preprocess", "detect", "alarm" }.All(f => spans.Any(s => s.Service == "Functions" && s.Name == $"{f} process"))
            && spans.Any(s => s.Service == "StateSink" && s.Name == "pull");
    }

    [Fact]
    public async Task A_killed_service_and_a_killed_redis_server_are_back_within_10_s_and_the_pipeline_works_again()
    {
        var cluster = running.Cluster;
        var sink = cluster.Processes["statesink-cloud"];
        var before = sink.ProcessId!.Value;
        using var http = new HttpClient();

        Process.GetProcessById(before).Kill();
        await Poll.UntilAsync(
            async () => cluster.Supervisor.RestartsOf("statesink-cloud") == 1 && await IsReadyAsync(http, sink.Url),
            "the StateSink of cloud is restarted and ready",
            TimeSpan.FromSeconds(10));
        var bundle = StateRef.Parse("edge/wf-survivor/preprocess.frame");
        await using (var edge = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "edge"))
        {
            await edge.Store.WriteAsync(bundle, BundleItems.CreateBuilder().Add("image", new byte[1000]).Build());
        }

        var edgeRedis = cluster.Redis["edge"];
        Process.GetProcessById(edgeRedis.ProcessId!.Value).Kill();
        await Poll.UntilAsync(() => cluster.Supervisor.RestartsOf("redis-edge") == 1 && edgeRedis.ProcessId is not null, "edge's redis-server is restarted", TimeSpan.FromSeconds(10));

        Assert.NotEqual(before, sink.ProcessId);
        await using (var edge = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "edge"))
        {
            Assert.NotNull(await edge.Store.ReadAsync(bundle));
        }

        await UpScenarios.A_propagate_event_lands_the_bundle_on_the_target_node_and_nowhere_else(cluster.Endpoints, "wf-after-kills");
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, Uri service)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(service, "readyz"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// One cluster of processes for the class: starting ten .NET processes is the slow part. Its processes export their
    /// spans to a dashboard receiving them, as <c>skylark up --processes</c> starts it.
    /// </summary>
    public sealed class Running : IAsyncLifetime
    {
        public ScratchDirectory Work { get; } = new();

        public TraceStore Traces { get; } = new(listen: false);

        public ProcessCluster Cluster { get; private set; } = null!;

        public DashboardHost Dashboard { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Dashboard = await DashboardApp.StartObservingAsync(
                RepositoryPaths.InRoot("eventing"), Traces, LogLevel.Warning, receiveTraces: true, CancellationToken.None);
            Cluster = await ProcessCluster.StartAsync(
                UpScenarios.ThreeNodes(Work.Path) with { CameraIngest = new CameraIngestSetup(), TraceCollector = Dashboard.Url },
                NullLoggerFactory.Instance,
                CancellationToken.None);
        }

        public async Task DisposeAsync()
        {
            // The cluster first: its processes flush their last spans as they stop.
            await Cluster.DisposeAsync();
            await Dashboard.DisposeAsync();
            Traces.Dispose();
            Work.Dispose();
        }
    }
}
