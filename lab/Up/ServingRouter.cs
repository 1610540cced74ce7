using System.Net.Http.Headers;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// Stands in for Knative Serving's load balancing in front of a Knative Service that runs on several nodes (the
/// rendered round-robin form): each request goes to the next of its instances in turn, so where the next function runs
/// is not fixed and the Predictor has to learn it. Which instances a Service has comes from the rendered manifests.
/// </summary>
public sealed class ServingRouter : IDisposable
{
    private static readonly string[] HopByHopHeaders = ["Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host"];

    private readonly IReadOnlyDictionary<string, IReadOnlyList<(string Node, Uri Url)>> services;
    private readonly HttpClient client;
    private readonly ILogger logger;
    private readonly Dictionary<string, int> turns = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <param name="services">Per Service name, its instances: the node each runs on and its URL as the router reaches it.</param>
    /// <param name="logger">Where unreachable instances are reported.</param>
    public ServingRouter(IReadOnlyDictionary<string, IReadOnlyList<(string Node, Uri Url)>> services, ILogger logger)
    {
        this.services = services;
        this.logger = logger;
        client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public const string Prefix = "/services";

    public void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(Prefix + "/{service}", ForwardAsync);
    }

    /// <summary>The instance of <paramref name="service"/> the next request goes to; null for a Service it does not serve.</summary>
    public (string Node, Uri Url)? Next(string service)
    {
        if (!services.TryGetValue(service, out var instances) || instances.Count == 0)
        {
            return null;
        }

        lock (gate)
        {
            var turn = turns.GetValueOrDefault(service);
            turns[service] = turn + 1;
            return instances[turn % instances.Count];
        }
    }

    public void Dispose() => client.Dispose();

    private async Task ForwardAsync(string service, HttpContext context)
    {
        if (Next(service) is not var (node, url))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"Service '{service}' has no instances here.", context.RequestAborted);
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url)
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
            logger.LogWarning("Instance of {Service} on {Node} unreachable: {Error}", service, node, e.Message);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"Instance of {service} on {node} is unreachable: {e.Message}", context.RequestAborted);
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
