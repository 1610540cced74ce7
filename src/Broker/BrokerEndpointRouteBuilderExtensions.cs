using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Ingress;

namespace Skylark.Events.Broker;

public static class BrokerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the broker ingress at <c>/{namespace}/{broker}</c> (every method, answered as Knative does) and the
    /// counters at <c>GET /metrics</c> (JSON).
    /// </summary>
    public static IEndpointRouteBuilder MapBroker(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        var ingress = endpoints.ServiceProvider.GetRequiredService<BrokerIngressEndpoint>();
        endpoints.Map("/{namespace}/{broker}", (HttpContext context, string @namespace, string broker) =>
            ingress.HandleAsync(context, @namespace, broker));

        endpoints.MapGet("/metrics", (BrokerMetrics metrics, BrokerTopology topology) => Results.Json(new
        {
            metrics.Accepted,
            metrics.Rejected,
            metrics.Delivered,
            metrics.Retried,
            metrics.DeadLettered,
            metrics.Dropped,
            metrics.Replies,
            Triggers = topology.Triggers.Select(t => new { t.Name, t.Queue.Waiting, t.Queue.Capacity }),
        }));

        return endpoints;
    }
}
