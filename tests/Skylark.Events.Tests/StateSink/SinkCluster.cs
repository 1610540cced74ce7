using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// Three nodes (edge-1, sat-1, sat-2: the servers of <see cref="RedisNodes"/>), each with its own redis-server and
/// StateSink, all linked to each other. Each cluster uses a fresh key prefix, so tests sharing the servers stay apart.
/// </summary>
public sealed class SinkCluster : IAsyncDisposable
{
    public const string PeerToken = "test-peer-token-3f9a";
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Uri> _urls = new(StringComparer.Ordinal);
    private readonly List<SinkNode> _nodes = [];

    private SinkCluster(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    public SinkNode Edge => _nodes[0];

    public SinkNode SatA => _nodes[1];

    public SinkNode SatB => _nodes[2];

    public static NetworkTopology Topology { get; } = new(
        [new Node("edge-1", NodeType.Edge), new Node("sat-1", NodeType.Sat), new Node("sat-2", NodeType.Sat)],
        [new Link("edge-1", "sat-1", 10, 80), new Link("sat-1", "sat-2", 5, 200), new Link("edge-1", "sat-2", 20, 40)],
        name: "test-triangle");

    /// <param name="nodes">The redis-servers.</param>
    /// <param name="configure">Per node name, after the defaults (token, <see cref="Topology"/>, small probes).</param>
    /// <param name="configureState">Per node name, after the defaults of the node's Redis.</param>
    public static async Task<SinkCluster> StartAsync(RedisNodes nodes, Action<string, StateSinkOptions>? configure = null, Action<string, StateOptions>? configureState = null)
    {
        var cluster = new SinkCluster(RedisServer.NewKeyPrefix());
        var directory = new DelegatingSinkDirectory((_, to) => cluster._urls.TryGetValue(to, out var url)
            ? url
            : throw new KeyNotFoundException($"No sink for node '{to}' in this test cluster."));
        try
        {
            foreach (var redis in new[] { nodes.Local, nodes.RemoteA, nodes.RemoteB })
            {
                var node = await SinkNode.StartAsync(
                    redis,
                    cluster.Prefix,
                    PeerToken,
                    directory,
                    options =>
                    {
                        options.Topology = Topology;
                        options.ProbeBytes = 16 * 1024;
                        configure?.Invoke(redis.Name, options);
                    },
                    state => configureState?.Invoke(redis.Name, state));
                cluster._nodes.Add(node);
                cluster._urls[node.Name] = node.BaseAddress;
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>From now on, every sink of the cluster reaches <paramref name="node"/>'s sink at <paramref name="url"/> (e.g. a stand-in).</summary>
    public void Redirect(string node, Uri url) => _urls[node] = url;

    public static BundleItems Items(string value, int padding = 0) =>
        BundleItems.CreateBuilder().Add("value", value).Add("padding", new byte[padding]).Build();

    /// <summary>An io.skylark.state.propagate for <paramref name="target"/> with the given data object.</summary>
    public static CloudEvent Propagate(string target, object data, string workflowId = "wf") => PropagateRaw(target, JsonSerializer.SerializeToUtf8Bytes(data, ContractJson.Options), workflowId);

    public static CloudEvent PropagateRaw(string? target, byte[] data, string workflowId = "wf", string contentType = "application/json")
    {
        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.StatePropagate,
            Source = EventSources.Predictor,
            DataContentType = contentType,
            Data = data,
        };
        cloudEvent[ExtensionNames.WorkflowId] = workflowId;
        if (target is not null)
        {
            cloudEvent[ExtensionNames.TargetNode] = target;
        }

        return cloudEvent;
    }

    public static object PropagateData(string from, string to, params string[] bundles) => new
    {
        bundles,
        from,
        to,
        function = "detect",
        probability = 0.9,
        deadline = DateTimeOffset.UtcNow.AddMinutes(1),
    };

    /// <summary>Posts <paramref name="command"/> to <paramref name="node"/>'s sink in binary mode and returns its reply event and data.</summary>
    public static Task<(CloudEvent Reply, StatePropagated Data)> SendAsync(SinkNode node, CloudEvent command) => SendAsync(node.Client, command);

    /// <summary>Posts <paramref name="command"/> in binary mode to the sink <paramref name="client"/> is based at.</summary>
    public static async Task<(CloudEvent Reply, StatePropagated Data)> SendAsync(HttpClient client, CloudEvent command)
    {
        using var content = command.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var response = await client.PostAsync("/", content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var reply = await response.ToCloudEventAsync(RawDataJsonEventFormatter.Instance);
        var data = JsonSerializer.Deserialize<StatePropagated>((byte[])reply.Data!, ContractJson.Options)!;
        return (reply, data);
    }

    /// <summary>Posts a ping (what a Knative PingSource sends) and returns the status code.</summary>
    public static async Task<System.Net.HttpStatusCode> PingAsync(SinkNode node)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("{\"message\":\"sync\"}", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", Guid.NewGuid().ToString());
        request.Headers.Add("ce-type", EventTypes.Ping);
        request.Headers.Add("ce-source", "/apis/v1/namespaces/skylark/pingsources/statesink-sync");
        using var response = await node.Client.SendAsync(request);
        return response.StatusCode;
    }

    public static async Task<List<BundleInfo>> ListAsync(BundleStore store)
    {
        var bundles = new List<BundleInfo>();
        await foreach (var info in store.ListAsync())
        {
            bundles.Add(info);
        }

        return bundles;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
