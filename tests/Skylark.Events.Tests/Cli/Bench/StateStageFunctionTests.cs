using System.Net;
using System.Text.Json;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Cli.Bench.Workflow;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.Functions;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Cli.Bench;

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
