using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Skylark.Events.State;

/// <summary>
/// Ready while the node's Redis answers PING on the shared multiplexer: a service whose Redis is down cannot keep or
/// serve state, so it must leave the load balancer's rotation instead of answering "ok".
/// </summary>
public sealed class RedisReadinessCheck(IConnectionMultiplexer redis, BundleStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis of node '{store.Node}' answered PING in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis of node '{store.Node}' does not answer PING: {error.Message}");
        }
    }
}
