using System.Net;
using System.Text.Json;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Benchmarks.Workflow;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.Functions;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Benchmarks;

[Collection(RedisCollection.Name)]
public sealed class StateStageFunctionTests(RedisServer redis)
{
    [Fact]
    public async Task A_stage_reads_its_input_writes_an_output_of_the_same_size_on_its_node_and_replies_completed()
    {
        await using var stage = await StageAsync("sat-1", WorkflowStages.Detect1);
        var input = StateRef.Parse("sat-1/wf-7/stage-preprocess.state");
        var state = Enumerable.Range(0, 150_000).Select(i => (byte)(i * 31)).ToArray();
        await stage.Store.WriteAsync(input, BundleItems.CreateBuilder().Add(WorkflowStages.StateItem, state).Build());

        var response = await stage.Client.PostAsync("/", Completion("wf-7", input, WorkflowStages.Preprocess));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(EventTypes.FunctionCompleted, response.Event.Type);
        Assert.Equal(("stage-detect-1", "sat-1", "sat-1/wf-7/stage-detect-1.state"), (response.Extension("function"), response.Extension("node"), response.Extension("statekey")));
        var output = await stage.Store.ReadAsync(StateRef.Parse("sat-1/wf-7/stage-detect-1.state"));
        Assert.NotNull(output);
        Assert.Equal(state, output.Items[WorkflowStages.StateItem].ToArray());
        var read = Assert.Single(response.Json.GetProperty("reads").EnumerateArray());
        Assert.Equal(("local", 150_000 + WorkflowStages.StateItem.Length), (read.GetProperty("source").GetString(), read.GetProperty("bytes").GetInt32()));
        Assert.Equal(150_000L, response.Json.GetProperty("result").GetProperty("stateBytes").GetInt64());
    }

    [Fact]
    public async Task A_start_event_naming_the_input_bundle_invokes_the_first_stage()
    {
        await using var stage = await StageAsync("sat-2", WorkflowStages.Preprocess);
        var input = new StateRef("sat-2", "wf-8", WorkflowStages.InputBundle);
        await stage.Store.WriteAsync(input, BundleItems.CreateBuilder().Add(WorkflowStages.StateItem, new byte[2_000]).Build());
        var start = new CloudEvent(CloudEventsSpecVersion.V1_0) { Id = "start-wf-8", Type = WorkflowStages.StartedType, Source = WorkflowStages.StartedSource };
        start[ExtensionNames.WorkflowId] = "wf-8";
        start[ExtensionNames.StateKey] = input.ToString();

        var response = await stage.Client.PostAsync("/", start);

        Assert.Equal("sat-2/wf-8/stage-preprocess.state", response.Extension("statekey"));
    }

    [Fact]
    public async Task A_missing_input_is_answered_422_with_the_bundle_it_looked_for()
    {
        await using var stage = await StageAsync("sat-1", WorkflowStages.Detect2);

        var response = await stage.Client.PostAsync("/", Completion("wf-9", StateRef.Parse("sat-1/wf-9/stage-detect-1.state"), WorkflowStages.Detect1));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("sat-1/wf-9/stage-detect-1.state", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_without_the_state_item_is_answered_422_naming_the_items_it_has()
    {
        await using var stage = await StageAsync("sat-1", WorkflowStages.Alarm);
        var input = StateRef.Parse("sat-1/wf-10/stage-detect-2.state");
        await stage.Store.WriteAsync(input, BundleItems.CreateBuilder().Add("other", new byte[10]).Build());

        var response = await stage.Client.PostAsync("/", Completion("wf-10", input, WorkflowStages.Detect2));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("it has: other", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_pipelined_work_a_stage_emits_its_output_item_by_item_over_its_compute_time_and_passes_the_work_on()
    {
        await using var stage = await StageAsync("sat-1", WorkflowStages.Detect1);
        var state = Enumerable.Range(0, 100_003).Select(i => (byte)(i * 13)).ToArray();

        // The input as a pipelined stage before leaves it: tiles, in order.
        var input = StateRef.Parse("sat-1/wf-11/stage-preprocess.state");
        var tiles = BundleItems.CreateBuilder();
        for (var i = 0; i < 3; i++)
        {
            tiles.Add(WorkflowStages.TileItem(i), state.AsSpan((state.Length * i / 3)..(state.Length * (i + 1) / 3)));
        }

        await stage.Store.WriteAsync(input, tiles.Build());
        var output = StateRef.Parse("sat-1/wf-11/stage-detect-1.state");
        var completion = Completion("wf-11", input, WorkflowStages.Preprocess);
        completion[WorkflowStages.OutputItemsExtension] = "5";
        completion[WorkflowStages.ComputeExtension] = "1000";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var post = stage.Client.PostAsync("/", completion);

        // While it computes, what it emitted so far is staged, and readers do not see any of it: a read between two
        // looks that both find the write still staged must find nothing.
        var seenStaged = false;
        while (!seenStaged && !post.IsCompleted)
        {
            var before = await stage.Store.ReadStagedAsync(output, writeId: null, 0, 0);
            if (before.State != StagedBundleState.Staging)
            {
                await Task.Delay(5);
                continue;
            }

            var visible = await stage.Store.ReadAsync(output);
            if ((await stage.Store.ReadStagedAsync(output, before.WriteId, 0, 0)).State == StagedBundleState.Staging)
            {
                Assert.Null(visible);
                seenStaged = true;
            }
        }

        var response = await post;

        Assert.True(seenStaged, "the output was never seen staged while the stage computed");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(990), $"the stage answered after {clock.Elapsed.TotalMilliseconds} ms of a 1000 ms compute time");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(("5", "1000"), (response.Extension(WorkflowStages.OutputItemsExtension), response.Extension(WorkflowStages.ComputeExtension)));
        var written = await stage.Store.ReadAsync(output);
        Assert.NotNull(written);
        Assert.Equal(Enumerable.Range(0, 5).Select(WorkflowStages.TileItem), written.Items.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(state, written.Items.OrderBy(i => i.Key, StringComparer.Ordinal).SelectMany(i => i.Value.ToArray()).ToArray());
        var write = Assert.Single(response.Json.GetProperty("writes").EnumerateArray());
        Assert.Equal((1, written.SizeBytes), (write.GetProperty("version").GetInt32(), write.GetProperty("bytes").GetInt64()));
        Assert.Equal(state.Length, response.Json.GetProperty("result").GetProperty("stateBytes").GetInt64());
    }

    [Theory]
    [InlineData("0", "100")]
    [InlineData("many", "100")]
    [InlineData("4", "-5")]
    [InlineData("4", "300001")]
    public async Task Malformed_pipelined_work_is_answered_422_with_what_is_accepted(string items, string computeMs)
    {
        await using var stage = await StageAsync("sat-1", WorkflowStages.Detect2);
        var input = StateRef.Parse("sat-1/wf-12/stage-detect-1.state");
        await stage.Store.WriteAsync(input, BundleItems.CreateBuilder().Add(WorkflowStages.StateItem, new byte[10]).Build());
        var completion = Completion("wf-12", input, WorkflowStages.Detect1);
        completion[WorkflowStages.OutputItemsExtension] = items;
        completion[WorkflowStages.ComputeExtension] = computeMs;

        var response = await stage.Client.PostAsync("/", completion);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("must be a whole number", response.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await stage.Store.GetVersionAsync(StateRef.Parse("sat-1/wf-12/stage-detect-2.state")));
    }

    [Fact]
    public void Redis_commands_get_the_configured_timeout_and_the_client_default_of_5_s_otherwise()
    {
        var bench = redis.StateOptions("sat-1");
        WorkflowBenchmarkOptions.ConfigureState(bench);

        var configured = bench.ToRedisConfiguration();
        var standard = redis.StateOptions("sat-1").ToRedisConfiguration();

        Assert.Equal((300_000, 300_000), (configured.AsyncTimeout, configured.SyncTimeout));
        Assert.Equal((5_000, 5_000), (standard.AsyncTimeout, standard.SyncTimeout));
    }

    private static CloudEvent Completion(string workflowId, StateRef output, string function)
    {
        var completion = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{function}-{workflowId}",
            Type = EventTypes.FunctionCompleted,
            Source = new Uri($"/functions/{function}", UriKind.Relative),
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(new { function }),
        };
        completion[ExtensionNames.WorkflowId] = workflowId;
        completion[ExtensionNames.Function] = function;
        completion[ExtensionNames.StateKey] = output.ToString();
        completion[ExtensionNames.StateNode] = output.Node;
        return completion;
    }

    private async Task<StageHost> StageAsync(string node, string stage)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var state = redis.StateOptions(node);
        builder.Services.AddSkylarkState(o =>
        {
            o.Configuration = state.Configuration;
            o.Password = state.Password;
            o.Node = state.Node;
            o.KeyPrefix = state.KeyPrefix;
        });
        builder.Services.AddStateStageFunction(stage);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapStateStageFunction(stage);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return new StageHost(app, new FunctionClient(address), app.Services.GetRequiredService<BundleStore>());
    }

    private sealed record StageHost(WebApplication App, FunctionClient Client, BundleStore Store) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
