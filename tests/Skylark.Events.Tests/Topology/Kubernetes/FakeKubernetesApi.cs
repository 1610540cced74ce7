using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

/// <summary>One request the <see cref="FakeKubernetesApi"/> received.</summary>
internal sealed record ApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Authorization)
{
    public string? this[string parameter] => Query.TryGetValue(parameter, out var value) ? value : null;
}

/// <summary>
/// A stand-in Kubernetes API server on real Kestrel (127.0.0.1, ephemeral port). It serves recorded list JSON the way
/// the API server does: items filtered by the <c>labelSelector</c> (equality and existence requirements), paged by
/// <c>limit</c> with an opaque <c>continue</c> token, unknown paths answered with a 404 Status. Every request is logged.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<ApiRequest> requests = [];
    private readonly Dictionary<string, Func<HttpContext, ApiRequest, Task>> routes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly List<(string Path, TaskCompletionSource Signal)> waiters = [];

    private FakeKubernetesApi(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ApiRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    /// <param name="port">A port to listen on (e.g. one an earlier server had, to come back where clients look); 0 for any.</param>
    public static async Task<FakeKubernetesApi> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add(FormattableString.Invariant($"http://127.0.0.1:{port}"));
        var api = new FakeKubernetesApi(app);
        app.Run(api.HandleAsync);
        await app.StartAsync();
        api.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return api;
    }

    /// <summary>A client exactly as a deployment builds one, pointed at this server.</summary>
    public k8s.Kubernetes CreateClient(string? accessToken = null) =>
        new(new k8s.KubernetesClientConfiguration { Host = Url.ToString(), AccessToken = accessToken });

    /// <summary>
    /// Writes a kubeconfig naming this server as the cluster, with a bearer token as the user, as an operator writes
    /// one for a service run outside the cluster; returns its path.
    /// </summary>
    public string WriteKubeconfig(string directory, string token = "recorded-token") => WriteKubeconfig(directory, Url, token);

    /// <inheritdoc cref="WriteKubeconfig(string, string)"/>
    public static string WriteKubeconfig(string directory, Uri server, string token = "recorded-token")
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: recorded
                cluster:
                  server: {server}
            users:
              - name: skylark
                user:
                  token: {token}
            contexts:
              - name: recorded
                context:
                  cluster: recorded
                  user: skylark
                  namespace: skylark
            current-context: recorded
            """);
        return path;
    }

    public const string NodesPath = "/api/v1/nodes";

    public const string PodsPath = "/api/v1/namespaces/skylark/pods";

    /// <summary>The recorded cluster: Recorded/nodes.json and Recorded/pods.json (the <c>skylark</c> namespace).</summary>
    public void ServeRecordedCluster()
    {
        ServeList(NodesPath, "nodes.json");
        ServeList(PodsPath, "pods.json");
    }

    /// <summary>Loads the topology with the real client and a fresh source; a failure to answer fails within 10 s.</summary>
    public async Task<KubernetesTopology> LoadAsync(KubernetesTopologyOptions? options = null, ILogger<KubernetesTopologySource>? logger = null)
    {
        using var client = CreateClient();
        using var source = new KubernetesTopologySource(client, options, logger);
        return await source.LoadAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Answers GET <paramref name="path"/> with <paramref name="list"/>, filtered and paged as the API server would.</summary>
    public void ServeList(string path, JsonObject list) => Route(path, (context, request) => WriteListAsync(context, request, list));

    public void ServeList(string path, string recordedFile) => ServeList(path, Recorded.Load(recordedFile));

    /// <summary>Answers GET <paramref name="path"/> with a fixed status and body.</summary>
    public void Answer(string path, int status, string body, string contentType = "application/json") =>
        Route(path, async (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });

    /// <summary>Completes when a request for <paramref name="path"/> has arrived (already, or later).</summary>
    public Task RequestArrived(string path)
    {
        lock (gate)
        {
            if (requests.Any(r => r.Path == path))
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((path, waiter));
            return waiter.Task;
        }
    }

    /// <summary>Never answers GET <paramref name="path"/> (until the client gives up or the server stops).</summary>
    public void Stall(string path) =>
        Route(path, async (context, _) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, context.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, linked.Token);
            }
            catch (OperationCanceledException)
            {
                // The client hung up or the test ended: nothing to answer.
            }
        });

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private void Route(string path, Func<HttpContext, ApiRequest, Task> handler)
    {
        lock (gate)
        {
            routes[path] = handler;
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var request = new ApiRequest(
            context.Request.Method, context.Request.Path.Value ?? "", query, context.Request.Headers.Authorization.FirstOrDefault());
        Func<HttpContext, ApiRequest, Task>? handler;
        lock (gate)
        {
            requests.Add(request);
            foreach (var waiter in waiters.Where(w => w.Path == request.Path).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }

            handler = context.Request.Method == HttpMethods.Get ? routes.GetValueOrDefault(request.Path) : null;
        }

        if (handler is null)
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(
                """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}""");
        }

        return handler(context, request);
    }

    private static async Task WriteListAsync(HttpContext context, ApiRequest request, JsonObject recorded)
    {
        var items = recorded["items"]!.AsArray()
            .Where(item => Matches(item!["metadata"]?["labels"] as JsonObject, request["labelSelector"]))
            .ToList();
        var offset = request["continue"] is { Length: > 0 } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var limit = request["limit"] is { Length: > 0 } l ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
        var page = items.Skip(offset).Take(limit).ToList();
        var remaining = items.Count - offset - page.Count;

        var metadata = new JsonObject { ["resourceVersion"] = recorded["metadata"]?["resourceVersion"]?.GetValue<string>() };
        if (remaining > 0)
        {
            metadata["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            metadata["remainingItemCount"] = remaining;
        }

        var answer = new JsonObject
        {
            ["kind"] = recorded["kind"]!.GetValue<string>(),
            ["apiVersion"] = recorded["apiVersion"]!.GetValue<string>(),
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page.Select(item => item!.DeepClone())]),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    /// <summary>The subset of label selectors the tests use: comma-separated <c>k</c>, <c>!k</c>, <c>k=v</c>, <c>k!=v</c>.</summary>
    private static bool Matches(JsonObject? labels, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        string? Label(string key) => labels?[key]?.GetValue<string>();
        foreach (var requirement in selector.Split(',', StringSplitOptions.TrimEntries))
        {
            var notEqual = requirement.IndexOf("!=", StringComparison.Ordinal);
            var equal = requirement.IndexOf('=', StringComparison.Ordinal);
            var satisfied =
                notEqual >= 0 ? Label(requirement[..notEqual]) != requirement[(notEqual + 2)..]
                : equal >= 0 ? Label(requirement[..equal]) == requirement[(equal + 1)..].TrimStart('=')
                : requirement.StartsWith('!') ? Label(requirement[1..]) is null
                : Label(requirement) is not null;
            if (!satisfied)
            {
                return false;
            }
        }

        return true;
    }
}
