using System.Net;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Up;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Lab.Up;

/// <summary>
/// The end-to-end checks every runtime of <c>skylark up</c> on topologies/three-nodes.yaml must pass, driven only
/// through what a user has: the endpoints file (the broker's ingress, each node's Redis and StateSink).
/// </summary>
internal static class UpScenarios
{
    public static UpOptions ThreeNodes(string work) => new()
    {
        TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
        EventingPath = RepositoryPaths.InRoot("eventing"),
        WorkDirectory = work,
    };

    /// <summary>State put on edge → a propagate event to the broker → the bundle is read locally on cloud, and only there.</summary>
    public static async Task A_propagate_event_lands_the_bundle_on_the_target_node_and_nowhere_else(EndpointsFile endpoints, string workflow)
    {
        var source = StateRef.Parse($"edge/{workflow}/preprocess.frame");
        await using (var edge = await RedisSession.OpenAsync(endpoints, "edge"))
        {
            await edge.Store.WriteAsync(source, BundleItems.CreateBuilder().Add("image", new byte[200_000]).Build());
        }

        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(endpoints, Propagate(source, to: "cloud")));

        await using var cloud = await RedisSession.OpenAsync(endpoints, "cloud");
        var copy = await ArrivesAsync(cloud, source.On("cloud"));
        Assert.Equal(1, copy.Version);
        Assert.Equal(200_000, copy.Items["image"].Length);
        await using var sat = await RedisSession.OpenAsync(endpoints, "sat");
        Assert.Null(await sat.Store.ReadAsync(source.On("sat")));
    }

    /// <summary>
    /// A completion of preprocess → the Predictor moves its output to where detect runs. three-nodes.yaml places
    /// detect (preprocess's only successor) on sat: with no history yet the Predictor elects the nearest node hosting
    /// it, and sat's StateSink pulls the bundle across the edge–sat link.
    /// </summary>
    public static async Task A_completion_makes_the_predictor_move_the_output_to_the_successors_node(EndpointsFile endpoints, string workflow)
    {
        var output = StateRef.Parse($"edge/{workflow}/preprocess.frame");
        await using (var edge = await RedisSession.OpenAsync(endpoints, "edge"))
        {
            await edge.Store.WriteAsync(output, BundleItems.CreateBuilder().Add("image", new byte[50_000]).Build());
        }

        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(endpoints, Completed(output, function: "preprocess")));

        await using var sat = await RedisSession.OpenAsync(endpoints, "sat");
        var copy = await ArrivesAsync(sat, output.On("sat"));
        Assert.Equal(50_000, copy.Items["image"].Length);
    }

    /// <summary>Posts as <paramref name="identity"/> (the operator unless said), with its token from the endpoints file when the cluster issued one.</summary>
    public static async Task<HttpStatusCode> PostAsync(EndpointsFile endpoints, CloudEvent cloudEvent, Uri? ingress = null, string identity = ClusterIdentity.Operator)
    {
        using var http = Client(endpoints, identity);
        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var response = await http.PostAsync(ingress ?? endpoints.Broker, content);
        return response.StatusCode;
    }

    /// <summary>A client sending as <paramref name="identity"/>: its bearer token from the endpoints file, none when the cluster runs with <c>--auth off</c>.</summary>
    public static HttpClient Client(EndpointsFile endpoints, string identity = ClusterIdentity.Operator)
    {
        var http = new HttpClient();
        if (endpoints.Tokens is { } tokens)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens[identity]);
        }

        return http;
    }

    public static async Task<HttpStatusCode> PostAnonymouslyAsync(Uri ingress, CloudEvent cloudEvent)
    {
        using var http = new HttpClient();
        using var content = cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var response = await http.PostAsync(ingress, content);
        return response.StatusCode;
    }

    public static CloudEvent Propagate(StateRef bundle, string to)
    {
        var propagate = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.StatePropagate,
            Source = EventSources.Predictor,
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes($$"""{"bundles":["{{bundle}}"],"from":"{{bundle.Node}}","to":"{{to}}","function":"alarm","probability":0.9,"deadline":"2099-01-01T00:00:00Z"}"""),
        };
        propagate[ExtensionNames.TargetNode] = to;
        propagate[ExtensionNames.WorkflowId] = bundle.WorkflowId;
        return propagate;
    }

    public static CloudEvent Completed(StateRef output, string function)
    {
        var completed = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.FunctionCompleted,
            Source = EventSources.Function(function),
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes("""{"durationMs":1}"""),
        };
        completed[ExtensionNames.WorkflowId] = output.WorkflowId;
        completed[ExtensionNames.Function] = function;
        completed[ExtensionNames.Node] = output.Node;
        completed[ExtensionNames.StateKey] = output.ToString();
        completed[ExtensionNames.StateNode] = output.Node;
        completed[ExtensionNames.Camera] = "cam-1";
        return completed;
    }

    public static async Task<Bundle> ArrivesAsync(RedisSession node, StateRef bundle)
    {
        Bundle? found = null;
        await Poll.UntilAsync(async () => (found = await node.Store.ReadAsync(bundle)) is not null, $"{bundle} is there", TimeSpan.FromSeconds(15));
        return found!;
    }

    /// <summary>A node's Redis as the endpoints file gives it, with its bundle store.</summary>
    internal sealed class RedisSession(ConnectionMultiplexer redis, BundleStore store) : IAsyncDisposable
    {
        public ConnectionMultiplexer Redis { get; } = redis;

        public BundleStore Store { get; } = store;

        public static Task<RedisSession> OpenAsync(EndpointsFile endpoints, string node) => OpenAsync(endpoints.Nodes[node], node);

        public static async Task<RedisSession> OpenAsync(NodeEndpoints node, string name = "any")
        {
            var options = new StateOptions { Configuration = node.Redis, Password = node.RedisPassword, Node = name };
            var configuration = options.ToRedisConfiguration();
            configuration.AllowAdmin = true;
            var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
            return new RedisSession(redis, new BundleStore(redis, options));
        }

        public async ValueTask DisposeAsync() => await Redis.DisposeAsync();
    }
}
