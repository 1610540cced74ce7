namespace Skylark.Events.Lab.Up;

/// <summary>
/// What Knative gives a cluster in front of its Services, stood in for on the control node by both runtimes of
/// <c>skylark up</c>: the <c>name=url</c> map the broker resolves the Triggers' and PingSources' subscribers with, built
/// from the plan's rendered routes, and a <see cref="ServingRouter"/> for the Services that run on several nodes.
/// </summary>
public sealed class ServingLayer : IDisposable, IAsyncDisposable
{
    private readonly ClusterPlan plan;
    private readonly Func<ServiceInstance, Uri> instanceUrl;

    private ServingLayer(ClusterPlan plan, Func<ServiceInstance, Uri> instanceUrl, ServingRouter router)
    {
        this.plan = plan;
        this.instanceUrl = instanceUrl;
        Router = router;
    }

    public ServingRouter Router { get; }

    /// <param name="plan">What runs where, and which Service names reach which instances.</param>
    /// <param name="instanceUrl">An instance as the control node reaches it (across the emulated path to its node).</param>
    /// <param name="loggerFactory">Logs of the router.</param>
    public static ServingLayer Create(ClusterPlan plan, Func<ServiceInstance, Uri> instanceUrl, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(instanceUrl);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var spread = plan.Routes
            .Where(r => r.Value.Count > 1)
            .ToDictionary(r => r.Key, r => (IReadOnlyList<(string, Uri)>)[.. r.Value.Select(i => (i.Node, instanceUrl(i)))], StringComparer.Ordinal);
        return new ServingLayer(plan, instanceUrl, new ServingRouter(spread, loggerFactory.CreateLogger<ServingRouter>()));
    }

    /// <summary>
    /// The broker's <c>--services</c>: every rendered Service name the plan routes, to its one instance, or through the
    /// router on <paramref name="servingUrl"/> when it has several.
    /// </summary>
    public Dictionary<string, Uri> BrokerServices(Uri servingUrl)
    {
        ArgumentNullException.ThrowIfNull(servingUrl);
        var services = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var (name, instances) in plan.Routes)
        {
            switch (instances.Count)
            {
                case 0:
                    continue;
                case 1:
                    services[name] = instanceUrl(instances[0]);
                    break;
                default:
                    services[name] = new Uri(servingUrl, $"{ServingRouter.Prefix.TrimStart('/')}/{name}");
                    break;
            }
        }

        return services;
    }

    public void Map(IEndpointRouteBuilder endpoints) => Router.Map(endpoints);

    public void Dispose() => Router.Dispose();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
