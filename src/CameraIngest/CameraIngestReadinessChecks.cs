using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Skylark.Events.CameraIngest;

/// <summary>
/// Ready while the bridge is connected to its MQTT broker and holds its subscriptions: without them no frame arrives,
/// and a camera publishing at QoS 0 meanwhile is not heard at all.
/// </summary>
internal sealed class MqttReadinessCheck(CameraIngestBridge bridge) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bridge.IsSubscribed
            ? HealthCheckResult.Healthy($"Subscribed on MQTT broker {bridge.Broker.Url}.")
            : HealthCheckResult.Unhealthy(
                $"Not subscribed on MQTT broker {bridge.Broker.Url}: {bridge.LastConnectFailure ?? "not connected yet"}."));
}

/// <summary>Ready once the bridge knows where to send events (the sink is resolved when it starts).</summary>
internal sealed class SinkReadinessCheck(CameraIngestBridge bridge) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bridge.Binding is { } binding
            ? HealthCheckResult.Healthy($"Events go to {binding.Sink}.")
            : HealthCheckResult.Unhealthy("No sink yet: the bridge has not started."));
}

/// <summary>
/// Ready while the bridge can finish what it receives: not ready, naming the dependency and why, while the node's
/// Redis does not store frames, the sink does not take events or the dead-letter sink does not take dead letters.
/// Meanwhile messages are held unacknowledged, not lost; they go on when the dependency is back.
/// </summary>
internal sealed class FramesReadinessCheck(CameraIngestBridge bridge) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unavailable = bridge.Unavailable;
        return Task.FromResult(unavailable.Count == 0
            ? HealthCheckResult.Healthy($"Taking frames; {bridge.Unacknowledged} message(s) in hand.")
            : HealthCheckResult.Unhealthy(
                $"Not taking frames: {string.Join("; ", unavailable)}. {bridge.Unacknowledged} message(s) held unacknowledged until it is back."));
    }
}
