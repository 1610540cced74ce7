using System.Net;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.Tests.Predictor.Support;
using Skylark.Events.Tests.Predictor.Traces;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Predictor;

/// <summary>The Predictor as a service: real Kestrel, a real HTTP server as the broker ingress, a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public class PredictorServiceTests(RedisServer redis)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private Action<PredictorOptions> Configure(string topology, Uri? brokerUrl, string modelKey) => options =>
    {
        options.EventingPaths.Add(TraceFiles.ShippedEventing);
        options.TopologyPath = topology;
        options.TopologyEpoch = TraceGenerator.Epoch;
        options.Redis = redis.Configuration;
        options.RedisPassword = redis.Password;
        options.ModelKey = modelKey;
        options.BrokerUrl = brokerUrl;
    };

    private static string NewModelKey() => RedisServer.NewKeyPrefix() + ":predictor:model";

    [Fact]
    public async Task Completions_posted_by_the_broker_arrive_at_the_ingress_as_propagate_events()
    {
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        await using var host = await PredictorHost.StartAsync(Configure(TraceFiles.ThreeNodes, ingress.Url, NewModelKey()));
        var records = TraceFiles.Read(TraceGenerator.Pipeline).Take(60).ToList();

        // The same decisions, made in-process, are what the service must emit.
        var reference = Replay.CreatePredictor(TraceFiles.ShippedEventing, TraceFiles.ThreeNodes);
        var expected = records.SelectMany(r => Replay.Observe(reference, r).Commands).ToList();
        Assert.NotEmpty(expected);

        foreach (var record in records)
        {
            using var response = await host.PostAsync(record.Event);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var received = await ingress.WaitForAsync(expected.Count, Bound);

        Assert.Equal(expected.Select(c => c.Id), received.Select(e => e.Id));
        foreach (var (command, cloudEvent) in expected.Zip(received))
        {
            Assert.Equal(EventTypes.StatePropagate, cloudEvent.Type);
            Assert.Equal(EventSources.Predictor, cloudEvent.Source);
            Assert.Equal(command.TargetNode, cloudEvent[ExtensionNames.TargetNode]);
            Assert.Equal(command.WorkflowId, cloudEvent[ExtensionNames.WorkflowId]);
            var data = ((JsonElement)cloudEvent.Data!).Deserialize<StatePropagate>(ContractJson.Options)!;
            Assert.Equal(command.Data.Bundles, data.Bundles);
            Assert.Equal(
                (command.Data.From, command.Data.To, command.Data.Function, command.Data.Probability, command.Data.Deadline),
                (data.From, data.To, data.Function, data.Probability, data.Deadline));
        }

        var metrics = await MetricsAsync(host, records.Count);
        Assert.Equal(records.Count, metrics.Completions);
        Assert.Equal(expected.Count, metrics.Sent);
        Assert.Equal(expected.Sum(c => c.Bytes), metrics.PropagatedBytes);
    }

    [Fact]
    public async Task A_bad_event_is_refused_with_its_reason_and_nothing_is_emitted()
    {
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        await using var host = await PredictorHost.StartAsync(Configure(TraceFiles.ThreeNodes, ingress.Url, NewModelKey()));
        var noFunction = TraceFiles.Read(TraceGenerator.Pipeline)[0].Event;
        noFunction[ExtensionNames.Function] = null;
        // A frame starts a workflow, but this one says neither which workflow nor where.
        var frame = new CloudEvent { Id = "f-1", Type = EventTypes.CameraFrame, Source = EventSources.Camera("cam-a") };

        using var missing = await host.PostAsync(noFunction);
        using var wrongType = await host.PostAsync(frame);
        using var notAnEvent = await host.PostRawAsync("""{"hello": "world"}""", "application/json");
        // Written whole before the answer is read, as most senders do: the 413 must still reach them.
        using var tooLarge = await host.PostRawAsync(JsonSerializer.Serialize(new { pad = new string('x', 8 * 1024 * 1024) }), "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("'function' extension", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("needs the 'workflowid' extension", await wrongType.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, notAnEvent.StatusCode);
        Assert.Contains("Not a CloudEvent", await notAnEvent.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal($"The event may be at most {PredictorEndpointRouteBuilderExtensions.MaxEventBytes} bytes.", await tooLarge.Content.ReadAsStringAsync());

        var metrics = await MetricsAsync(host, accepted: 4);
        Assert.Equal((4L, 0L, 0L), (metrics.Rejected, metrics.Completions, metrics.Sent));
    }

    [Fact]
    public async Task The_learned_model_survives_a_restart()
    {
        var modelKey = NewModelKey();
        var records = TraceFiles.Read(TraceGenerator.PlacementChange);
        await using var ingress = await BrokerIngressRecorder.StartAsync();

        // First life: learn that detect moved to sat-2, then stop (which saves the model).
        await using (var first = await PredictorHost.StartAsync(Configure(TraceFiles.TwoSatellites, brokerUrl: null, modelKey)))
        {
            foreach (var record in records)
            {
                using var response = await first.PostAsync(record.Event);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            await first.StopAsync();
        }

        await using (var connection = await redis.ConnectAsync())
        {
            Assert.True(await connection.GetDatabase().KeyExistsAsync(modelKey));
        }

        var next = NextPreprocess(records[^1].Time.AddSeconds(1));

        // Second life, same Redis key: the next frame's state goes to sat-2 straight away.
        await using (var second = await PredictorHost.StartAsync(Configure(TraceFiles.TwoSatellites, ingress.Url, modelKey)))
        {
            using var response = await second.PostAsync(next);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var propagate = (await ingress.WaitForAsync(1, Bound))[0];
            Assert.Equal("sat-2", propagate[ExtensionNames.TargetNode]);
            await second.StopAsync();
        }

        // The second life (stopped, so done sending) may also have sent detect's output ahead to alarm's node.
        var sent = ingress.Arrived().Count;

        // A predictor without that model elects the nearest detect host instead.
        await using (var amnesiac = await PredictorHost.StartAsync(Configure(TraceFiles.TwoSatellites, ingress.Url, NewModelKey())))
        {
            using var response = await amnesiac.PostAsync(next);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var propagate = (await ingress.WaitForAsync(sent + 1, Bound))[sent];
            Assert.Equal("sat-1", propagate[ExtensionNames.TargetNode]);
        }
    }

    [Fact]
    public async Task In_databelt_mode_the_service_sends_the_databelt_policys_commands_and_leaves_a_stored_model_alone()
    {
        var modelKey = NewModelKey();
        await using (var connection = await redis.ConnectAsync())
        {
            await connection.GetDatabase().StringSetAsync(modelKey, "a model learned by the predictive policy");
        }

        var slo = new SloSettings(100, 0);
        await using var ingress = await BrokerIngressRecorder.StartAsync();
        var records = TraceFiles.Read(TraceGenerator.DatabeltOrbit).Take(120).ToList();
        var reference = Replay.CreateDatabeltPolicy(TraceFiles.ShippedEventing, TraceFiles.DatabeltTestbed, o => o.Slo = slo);
        var expected = records.SelectMany(r => Replay.Observe(reference, r).Commands).ToList();
        Assert.NotEmpty(expected);

        var configure = Configure(TraceFiles.DatabeltTestbed, ingress.Url, modelKey);
        await using (var host = await PredictorHost.StartAsync(options =>
        {
            configure(options);
            options.Policy = PredictorPolicy.Databelt;
            options.Slo = slo;
        }))
        {
            foreach (var record in records)
            {
                using var response = await host.PostAsync(record.Event);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var received = await ingress.WaitForAsync(expected.Count, Bound);
            Assert.Equal(expected.Select(c => c.Id), received.Select(e => e.Id));
            Assert.Equal(expected.Select(c => c.TargetNode), received.Select(e => (string?)e[ExtensionNames.TargetNode]));
            var metrics = await MetricsAsync(host, records.Count);
            Assert.Equal(((long)records.Count, (long)expected.Count, 0L), (metrics.Completions, metrics.Sent, metrics.LookAheadCommands));
            await host.StopAsync();
        }

        await using (var connection = await redis.ConnectAsync())
        {
            Assert.Equal("a model learned by the predictive policy", (string?)await connection.GetDatabase().StringGetAsync(modelKey));
        }
    }

    private static CloudEvent NextPreprocess(DateTimeOffset time)
    {
        var writer = new TraceWriter();
        var output = new StateRef("edge", "cam-1-99999", "preprocess.frame");
        writer.Completion("preprocess", "cam-1-99999", "edge", "cam-1", time, output, [], [new(output, 77_000)], 9, null, []);
        return writer.Events[0];
    }

    /// <summary>The service's counters once all <paramref name="accepted"/> events have been decided on and every command sent.</summary>
    private static async Task<PredictorMetricsSnapshot> MetricsAsync(PredictorHost host, int accepted)
    {
        // Decisions run behind the 202s, and a completion is counted once its commands have gone out.
        PredictorMetricsSnapshot metrics = null!;
        await Poll.UntilAsync(
            async () =>
            {
                metrics = (await host.Client.GetFromJsonAsync<PredictorMetricsSnapshot>("/status", ContractJson.Options))!;
                return metrics.Completions + metrics.Rejected == accepted && metrics.PropagateCommands == metrics.Sent + metrics.SendFailures;
            },
            $"all {accepted} events are decided on and their commands sent",
            Bound);
        return metrics;
    }
}
