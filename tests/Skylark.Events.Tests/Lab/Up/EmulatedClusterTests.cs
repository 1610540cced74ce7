using System.Diagnostics;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Bindings;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Up;
using Skylark.Events.Contracts;
using Skylark.Events.DeadLetters;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Lab.Up;

[Collection(EmulatedClusters.Name)]
public sealed class EmulatedClusterTests
{
    private static UpOptions ThreeNodes(string work) => UpScenarios.ThreeNodes(work);

    [Fact]
    public async Task Starts_a_password_protected_redis_and_a_sink_per_node_and_writes_the_endpoints_file()
    {
        using var work = new ScratchDirectory();
        var said = new Said();
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path) with { Progress = said }, NullLoggerFactory.Instance, CancellationToken.None);
        var file = Path.Combine(work.Path, "endpoints.json");

        // What up printed as it started, in order: stores, then nodes, then the control plane.
        var redisAt = said.Lines.IndexOf("starting redis-server for sat");
        var nodeAt = said.Lines.FindIndex(l => l.StartsWith("starting node sat: ", StringComparison.Ordinal));
        var brokerAt = said.Lines.FindIndex(l => l.StartsWith("starting the broker on ", StringComparison.Ordinal));
        var predictorAt = said.Lines.FindIndex(l => l.StartsWith("starting the Predictor on ", StringComparison.Ordinal));
        Assert.True(redisAt >= 0 && nodeAt > redisAt && brokerAt > nodeAt && predictorAt >= 0, string.Join(" | ", said.Lines));
        Assert.Contains("statesink", said.Lines[nodeAt], StringComparison.Ordinal);

        await cluster.Endpoints.WriteAsync(file, CancellationToken.None);
        var endpoints = await EndpointsFile.ReadAsync(file, CancellationToken.None);

        Assert.Equal(["cloud", "edge", "sat"], endpoints.Nodes.Keys.Order(StringComparer.Ordinal));
        Assert.EndsWith("/skylark/default", endpoints.Broker.AbsolutePath, StringComparison.Ordinal);
        using var http = new HttpClient();
        foreach (var (node, address) in endpoints.Nodes)
        {
            Assert.Equal("ok", (await http.GetStringAsync(new Uri(address.Sink, "healthz"))).Trim().Trim('"'));
            var withoutPassword = ConfigurationOptions.Parse(address.Redis);
            withoutPassword.AbortOnConnectFail = true;
            await Assert.ThrowsAnyAsync<RedisException>(async () => await (await ConnectionMultiplexer.ConnectAsync(withoutPassword)).GetDatabase().PingAsync());
            Assert.False(string.IsNullOrEmpty(address.RedisPassword), $"{node} has no Redis password");
        }
    }

    [Fact]
    public async Task A_nodes_state_survives_a_restart_of_its_redis_server_which_keeps_an_append_only_file()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);
        var kept = StateRef.Parse("sat/wf-aof/detect.result");
        await using (var sat = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "sat"))
        {
            await sat.Store.WriteAsync(kept, BundleItems.CreateBuilder().Add("result", "kept"u8.ToArray()).Build());
        }

        var redis = cluster.Redis["sat"];
        Process.GetProcessById(redis.ProcessId!.Value).Kill();
        await redis.WaitForExitAsync(CancellationToken.None);
        await redis.RestartAsync(CancellationToken.None);

        await using var after = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "sat");
        var fsync = await after.Redis.GetServer(after.Redis.GetEndPoints()[0]).ConfigGetAsync("appendfsync");
        Assert.Equal("everysec", Assert.Single(fsync).Value);
        Assert.Equal("kept"u8.ToArray(), (await after.Store.ReadAsync(kept))!.Items["result"].ToArray());
    }

    [Fact]
    public async Task A_propagate_event_sent_to_the_broker_lands_the_bundle_on_the_target_node_and_nowhere_else()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);

        await UpScenarios.A_propagate_event_lands_the_bundle_on_the_target_node_and_nowhere_else(cluster.Endpoints, "wf-1");
    }

    [Fact]
    public async Task A_cluster_started_from_a_rendered_folder_routes_propagations_and_completions_as_one_rendered_in_memory()
    {
        using var work = new ScratchDirectory();
        var manifests = Path.Combine(work.Path, "manifests");
        await ManifestRenderer.Render(new DeployOptions(RepositoryPaths.InRoot("topologies", "three-nodes.yaml")) { EventingPath = RepositoryPaths.InRoot("eventing") })
            .WriteAsync(manifests);
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path) with { ManifestsPath = manifests }, NullLoggerFactory.Instance, CancellationToken.None);

        await UpScenarios.A_propagate_event_lands_the_bundle_on_the_target_node_and_nowhere_else(cluster.Endpoints, "wfFromFolder");
        await UpScenarios.A_completion_makes_the_predictor_move_the_output_to_the_successors_node(cluster.Endpoints, "wfFromFolderCompleted");
    }

    [Fact]
    public async Task The_control_plane_runs_on_the_cloud_and_its_events_cross_the_links_counted_apart_from_state()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);
        var source = StateRef.Parse("sat/wf-cp/detect.result");
        await using (var sat = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "sat"))
        {
            await sat.Store.WriteAsync(source, BundleItems.CreateBuilder().Add("result", new byte[200_000]).Build());
        }

        // Sent from the edge: the event crosses edge -> sat -> cloud to the broker (35 ms, lower than the direct 40 ms
        // link); the command then crosses cloud -> sat -> edge to edge's StateSink, which pulls the bundle from sat.
        var ingress = cluster.IngressFrom("edge");
        using var http = UpScenarios.Client(cluster.Endpoints);
        using var content = UpScenarios.Propagate(source, to: "edge").ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var accepted = await http.PostAsync(ingress, content);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        await using var edge = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "edge");
        await UpScenarios.ArrivesAsync(edge, source.On("edge"));

        var links = cluster.Links.TrafficPerLink().ToDictionary(l => l.Name, StringComparer.Ordinal);
        Assert.Equal("cloud", cluster.ControlNode);
        Assert.NotEqual(cluster.BrokerIngress.Port, ingress.Port);
        Assert.True(links["edge->sat"].ControlBytes > 0 && links["sat->cloud"].ControlBytes > 0, "the event did not cross edge->sat->cloud");
        Assert.True(links["cloud->sat"].ControlBytes > 0 && links["sat->edge"].ControlBytes > 0, "the command did not cross cloud->sat->edge");
        Assert.True(links["sat->edge"].StateBytes >= 200_000, $"{links["sat->edge"].StateBytes} state bytes on sat->edge");
        Assert.Equal(0, links["sat->cloud"].StateBytes + links["edge->cloud"].Bytes);
        Assert.Equal(cluster.Links.StateBytes + cluster.Links.ControlBytes, cluster.Links.TotalBytes);
    }

    [Fact]
    public async Task An_instant_control_plane_sends_no_event_over_the_links_and_state_still_does()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(
            ThreeNodes(work.Path) with { InstantControlPlane = true, ControlNode = "edge" }, NullLoggerFactory.Instance, CancellationToken.None);
        var source = StateRef.Parse("sat/wf-instant/detect.result");
        await using (var sat = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "sat"))
        {
            await sat.Store.WriteAsync(source, BundleItems.CreateBuilder().Add("result", new byte[100_000]).Build());
        }

        using var http = UpScenarios.Client(cluster.Endpoints);
        using var content = UpScenarios.Propagate(source, to: "cloud").ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var accepted = await http.PostAsync(cluster.IngressFrom("sat"), content);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        await using var cloud = await UpScenarios.RedisSession.OpenAsync(cluster.Endpoints, "cloud");
        await UpScenarios.ArrivesAsync(cloud, source.On("cloud"));

        Assert.Equal("edge", cluster.ControlNode);
        Assert.Equal(cluster.BrokerIngress, cluster.IngressFrom("sat"));
        Assert.Equal(0, cluster.Links.ControlBytes);
        Assert.True(cluster.Links.StateBytes >= 100_000, $"{cluster.Links.StateBytes} state bytes");
    }

    [Fact]
    public async Task A_control_node_that_is_not_in_the_topology_is_refused_with_its_name()
    {
        using var work = new ScratchDirectory();

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            EmulatedCluster.StartAsync(ThreeNodes(work.Path) with { ControlNode = "moon" }, NullLoggerFactory.Instance, CancellationToken.None));

        Assert.Contains("moon", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completion_sent_to_the_broker_makes_the_predictor_move_its_output_to_the_successors_node()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);

        await UpScenarios.A_completion_makes_the_predictor_move_the_output_to_the_successors_node(cluster.Endpoints, "wf-2");
    }

    [Fact]
    public async Task An_event_a_function_refuses_is_dead_lettered_into_the_work_directory_log_and_observed_once_on_disk()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);
        var observed = new TaskCompletionSource<DeadLetter>(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.DeadLetters.Stored += (_, stored) => observed.TrySetResult(stored.DeadLetter);

        // A frame without its camera or workflow: preprocess refuses it with 4xx, which Knative does not retry.
        var frame = new CloudEvent
        {
            Id = "frame-without-camera",
            Type = EventTypes.CameraFrame,
            Source = EventSources.Camera("cam-1"),
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes("{}"),
        };
        using var http = UpScenarios.Client(cluster.Endpoints);
        using var content = frame.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var accepted = await http.PostAsync(cluster.BrokerIngress, content);
        var dead = await observed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("frame-without-camera", dead.Event.Id);
        Assert.InRange(dead.Error.Code ?? 0, 400, 499);
        Assert.Equal(Path.Combine(work.Path, EmulatedCluster.DeadLetterFileName), cluster.DeadLetters.Path);
        Assert.Contains(File.ReadLines(cluster.DeadLetters.Path), line => line.Contains("\"id\":\"frame-without-camera\"", StringComparison.Ordinal));
        Assert.True(cluster.DeadLetterMetrics.Received >= 1, "the cluster's dead-letter count");
    }

    [Fact]
    public async Task Disposing_stops_every_redis_server_it_started()
    {
        using var work = new ScratchDirectory();
        var cluster = await EmulatedCluster.StartAsync(ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);
        var endpoints = cluster.Endpoints;
        var pids = await Task.WhenAll(endpoints.Nodes.Values.Select(async n =>
        {
            await using var session = await UpScenarios.RedisSession.OpenAsync(n);
            var info = await session.Redis.GetServers()[0].InfoAsync("server");
            return int.Parse(info.SelectMany(g => g).Single(kv => kv.Key == "process_id").Value, System.Globalization.CultureInfo.InvariantCulture);
        }));

        await cluster.DisposeAsync();

        Assert.All(pids, pid => Assert.True(IsGone(pid), $"redis-server {pid} is still running"));
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>Keeps what the cluster reported, on the thread that reported it.</summary>
    private sealed class Said : IProgress<string>
    {
        public List<string> Lines { get; } = [];

        public void Report(string value) => Lines.Add(value);
    }
}
