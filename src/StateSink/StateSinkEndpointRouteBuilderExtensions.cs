using Skylark.Events.State;
using Skylark.Events.StateSink.Peer;
using Skylark.Events.StateSink.Sync;

namespace Skylark.Events.StateSink;

public static class StateSinkEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the sink's endpoints: <c>POST /</c> (CloudEvents: propagate and ping), the peer API under <c>/peer</c>
    /// (token required), <c>GET /healthz</c> and <c>GET /metrics</c> (<see cref="StateSinkReport"/> as JSON).
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
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/metrics", () => Results.Json(Report(services), Contracts.Payloads.ContractJson.Options));
        return endpoints;
    }

    /// <summary>The numbers <c>GET /metrics</c> serves, for hosts that want them in-process.</summary>
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
