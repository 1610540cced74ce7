using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Ingress;
using Skylark.Events.Hosting;

namespace Skylark.Events.Broker;

public static class BrokerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the broker ingress at <c>/{namespace}/{broker}</c> (every method, answered as Knative does), the counters
    /// and queues at <c>GET /status</c> (JSON) and the service contract's <c>/healthz</c>, <c>/readyz</c> and
    /// <c>/metrics</c> (Prometheus, Knative's instrument names).
    /// </summary>
    public static IEndpointRouteBuilder MapBroker(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        var ingress = endpoints.ServiceProvider.GetRequiredService<BrokerIngressEndpoint>();
        endpoints.Map("/{namespace}/{broker}", (HttpContext context, string @namespace, string broker) =>
            ingress.HandleAsync(context, @namespace, broker));

        endpoints.MapGet("/status", (BrokerMetrics metrics, BrokerTopology topology) => Results.Json(new
        {
            metrics.Accepted,
            metrics.Rejected,
            metrics.Delivered,
            metrics.Retried,
            metrics.DeadLettered,
            metrics.Dropped,
            metrics.Replies,
            Triggers = topology.Triggers.Select(t => new { t.Name, t.Queue.Waiting, t.Queue.Queued, t.Queue.InFlight, t.Queue.Capacity }),
        }));
        endpoints.MapServiceEndpoints();
        return endpoints;
    }
}
