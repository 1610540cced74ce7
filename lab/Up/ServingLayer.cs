using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// What Knative gives a cluster around the services, stood in for on the control node by both runtimes of
/// <c>skylark up</c>: the serving router (<c>/services/{function}</c> → an instance on some node) and the PingSource
/// fan-out to every node's StateSink (<c>/fanout/statesink</c>); and the <c>name=url</c> map the broker resolves the
/// Services of Triggers and PingSources with.
/// </summary>
public sealed class ServingLayer : IDisposable, IAsyncDisposable
{
    private const string FanoutPath = "/fanout/statesink";

    private ServingLayer(ServingRouter router, SinkFanout fanout)
    {
        Router = router;
        Fanout = fanout;
    }

    public ServingRouter Router { get; }

    public SinkFanout Fanout { get; }

    /// <param name="plan">What runs where.</param>
    /// <param name="functionUrl">A function's instance on a node, as the control node reaches it: (node, function) → URL.</param>
    /// <param name="controlSinkUrls">Each node's StateSink as the control node reaches it.</param>
    /// <param name="currentPaths">The path table of the current topology snapshot.</param>
    /// <param name="policy">How the router picks an instance.</param>
    /// <param name="loggerFactory">Logs of the router and the fan-out.</param>
    public static ServingLayer Create(
        ClusterPlan plan,
        Func<string, string, Uri> functionUrl,
        IReadOnlyDictionary<string, Uri> controlSinkUrls,
        Func<PathTable> currentPaths,
        ServingPolicy policy,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(functionUrl);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var router = new ServingRouter(
            plan.Topology,
            nodeAndFunction =>
            {
                var slash = nodeAndFunction.IndexOf('/', StringComparison.Ordinal);
                return functionUrl(nodeAndFunction[..slash], nodeAndFunction[(slash + 1)..]);
            },
            currentPaths,
            policy,
            loggerFactory.CreateLogger<ServingRouter>());
        var fanout = new SinkFanout(() => controlSinkUrls, loggerFactory.CreateLogger<SinkFanout>());
        return new ServingLayer(router, fanout);
    }

    /// <summary>
    /// The broker's <c>--services</c>: <c>statesink</c> (the ping fan-out), one route per function, one per node's
    /// StateSink (<c>statesink-&lt;node&gt;</c>, for the propagate Triggers), and the control plane's own services.
    /// </summary>
    /// <param name="servingUrl">The app this layer is mapped on.</param>
    /// <param name="functions">The functions that have a route.</param>
    /// <param name="controlSinkUrls">Each node's StateSink as the control node reaches it.</param>
    /// <param name="controlServices">The control plane's services by name (dead-letters, predictor).</param>
    public static Dictionary<string, Uri> BrokerServices(
        Uri servingUrl, IEnumerable<string> functions, IReadOnlyDictionary<string, Uri> controlSinkUrls, IReadOnlyDictionary<string, Uri> controlServices)
    {
        ArgumentNullException.ThrowIfNull(servingUrl);
        var services = new Dictionary<string, Uri>(StringComparer.Ordinal)
        {
            [ServiceInstance.StateSink] = new(servingUrl, FanoutPath.TrimStart('/')),
        };
        foreach (var function in functions)
        {
            services[function] = new Uri(servingUrl, $"services/{function}");
        }

        foreach (var (node, url) in controlSinkUrls)
        {
            services[NodeTriggers.SinkServiceName(node)] = url;
        }

        foreach (var (name, url) in controlServices)
        {
            services[name] = url;
        }

        return services;
    }

    public void Map(IEndpointRouteBuilder endpoints)
    {
        Router.Map(endpoints);
        Fanout.Map(endpoints, FanoutPath);
    }

    public void Dispose()
    {
        Router.Dispose();
        Fanout.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
