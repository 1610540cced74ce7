using System.Net.Http.Headers;
using Skylark.Events.Contracts;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// Stands in for Knative Serving's activator: one URL per function, each request forwarded to one of the instances
/// the topology places on nodes, so where the next function runs is not fixed and the Predictor has to learn it.
/// </summary>
public sealed class ServingRouter : IDisposable
{
    private static readonly string[] HopByHopHeaders = ["Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host"];

    private readonly NetworkTopology topology;
    private readonly Func<string, Uri> functionUrlOnNode;
    private readonly Func<PathTable> currentPaths;
    private readonly ServingPolicy policy;
    private readonly HttpClient client;
    private readonly ILogger logger;
    private readonly Dictionary<string, int> turns = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>
    /// <paramref name="functionUrlOnNode"/> gives the URL of a function's instance on a node from "node/function";
    /// <paramref name="currentPaths"/> the path table of the current topology snapshot.
    /// </summary>
    public ServingRouter(
        NetworkTopology topology,
        Func<string, Uri> functionUrlOnNode,
        Func<PathTable> currentPaths,
        ServingPolicy policy,
        ILogger logger)
    {
        this.topology = topology;
        this.functionUrlOnNode = functionUrlOnNode;
        this.currentPaths = currentPaths;
        this.policy = policy;
        this.logger = logger;
        client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public void Map(IEndpointRouteBuilder endpoints, string prefix = "/services")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(prefix + "/{function}", ForwardAsync);
    }

    /// <summary>The node whose instance of <paramref name="function"/> runs an event whose state is on <paramref name="stateNode"/>.</summary>
    public string? ChooseNode(string function, string? stateNode)
    {
        var hosts = topology.NodesHosting(function);
        if (hosts.Count == 0)
        {
            return null;
        }

        if (policy == ServingPolicy.LocalityAware && stateNode is not null && topology.TryGetNode(stateNode, out _))
        {
            var paths = currentPaths();
            var nearest = hosts
                .Select(h => (h.Name, Latency: h.Name == stateNode ? 0 : paths.IsReachable(stateNode, h.Name) ? paths.LatencyMs(stateNode, h.Name) : double.PositiveInfinity))
                .MinBy(h => h.Latency);
            if (!double.IsPositiveInfinity(nearest.Latency))
            {
                return nearest.Name;
            }
        }

        lock (gate)
        {
            var turn = turns.GetValueOrDefault(function);
            turns[function] = turn + 1;
            return hosts[turn % hosts.Count].Name;
        }
    }

    public void Dispose() => client.Dispose();

    private async Task ForwardAsync(string function, HttpContext context)
    {
        var stateNode = context.Request.Headers["ce-" + ExtensionNames.StateNode].ToString();
        var node = ChooseNode(function, string.IsNullOrEmpty(stateNode) ? null : stateNode);
        if (node is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"No node in topology '{topology.Name}' hosts function '{function}'.", context.RequestAborted);
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, functionUrlOnNode($"{node}/{function}"))
        {
            Content = new StreamContent(context.Request.Body),
        };
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHopHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            // Like the activator when a revision is unreachable: a 503 the broker retries.
            logger.LogWarning("Instance of {Function} on {Node} unreachable: {Error}", function, node, e.Message);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"Instance of {function} on {node} is unreachable: {e.Message}", context.RequestAborted);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            Copy(response.Headers, context.Response.Headers);
            Copy(response.Content.Headers, context.Response.Headers);
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static void Copy(HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHopHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                to[name] = values.ToArray();
            }
        }
    }
}
