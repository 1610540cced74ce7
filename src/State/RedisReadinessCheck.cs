using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Skylark.Events.State;

/// <summary>
/// Ready while the node's Redis answers PING on the shared multiplexer: a service whose Redis is down cannot keep or
/// serve state, so it must leave the load balancer's rotation instead of answering "ok".
/// </summary>
public sealed class RedisReadinessCheck(IConnectionMultiplexer redis, BundleStore store) : IHealthCheck
{
    /// <summary>Below the health check's own timeout, so a hung PING is reported as what it is.</summary>
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy($"Redis of node '{store.Node}' does not answer PING: not connected (reconnecting).");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Redis of node '{store.Node}' answered PING in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Redis of node '{store.Node}' does not answer PING: {error.Message}");
        }
    }
}
