using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Hosting;

namespace Skylark.Events.CameraIngest;

public static class CameraIngestEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /status</c> (<see cref="CameraIngestReport"/> as JSON) and the service contract's <c>/healthz</c>,
    /// <c>/readyz</c> (subscribed on MQTT, the node's Redis answers, a sink) and <c>/metrics</c> (Prometheus). Events
    /// arrive over MQTT, so there is no CloudEvents endpoint.
    /// </summary>
    public static IEndpointRouteBuilder MapCameraIngest(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        endpoints.MapGet("/status", () => Results.Json(Report(services), ContractJson.Options));
        endpoints.MapServiceEndpoints();
        return endpoints;
    }

    /// <summary>The numbers <c>GET /status</c> serves, for hosts that want them in-process.</summary>
    public static CameraIngestReport Report(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var bridge = services.GetRequiredService<CameraIngestBridge>();
        return new CameraIngestReport(
            bridge.Node,
            bridge.Broker.Url,
            bridge.IsSubscribed,
            bridge.Binding?.Sink,
            [bridge.FramesTopic, bridge.EventsTopic],
            bridge.Metrics.Snapshot());
    }
}
