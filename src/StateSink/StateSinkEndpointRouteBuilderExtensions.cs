using Skylark.Events.Hosting;
using Skylark.Events.State;
using Skylark.Events.StateSink.Peer;
using Skylark.Events.StateSink.Sync;

namespace Skylark.Events.StateSink;

public static class StateSinkEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the sink's endpoints: <c>POST /</c> (CloudEvents: propagate and ping), the peer API under <c>/peer</c>
    /// (token required), <c>GET /status</c> (<see cref="StateSinkReport"/> as JSON) and the service contract's
    /// <c>/healthz</c>, <c>/readyz</c> (the node's Redis answers) and <c>/metrics</c> (Prometheus).
    /// </summary>
    public static IEndpointRouteBuilder MapStateSink(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var receiver = services.GetRequiredService<StateSinkReceiver>();
        var peer = services.GetRequiredService<PeerEndpoints>();

        endpoints.MapPost("/", receiver.HandleAsync);
        endpoints.MapGet("/peer/bundles/{workflowId}/{bundle}", peer.GetBundleAsync);
        endpoints.MapPost("/peer/bundles:fetch", peer.FetchAsync);
        endpoints.MapGet("/peer/probe", peer.ProbeAsync);
        endpoints.MapGet("/status", () => Results.Json(Report(services), Contracts.Payloads.ContractJson.Options));
        endpoints.MapServiceEndpoints();
        return endpoints;
    }

    /// <summary>The numbers <c>GET /status</c> serves, for hosts that want them in-process.</summary>
    public static StateSinkReport Report(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var inFlight = services.GetRequiredService<InFlightPulls>();
        return new StateSinkReport(
            services.GetRequiredService<BundleStore>().Node,
            services.GetRequiredService<SinkTopology>().Current?.Name,
            services.GetRequiredService<StateSinkMetrics>().Snapshot(),
            services.GetRequiredService<StateReadMetrics>().Snapshot(),
            new InFlightReport(inFlight.Count, inFlight.Joins),
            services.GetRequiredService<WantedBundles>().Count,
            services.GetRequiredService<LinkEstimates>().Snapshot(),
            services.GetRequiredService<StateSync>().LastSummary);
    }
}
