using Microsoft.Extensions.Diagnostics.HealthChecks;
using Skylark.Events.Broker.Journal;

namespace Skylark.Events.Broker;

/// <summary>
/// Ready once the journal (when there is one) has queued again what a previous run owed: until then the ingress
/// refuses producers with 503, so a load balancer should not send them here.
/// </summary>
internal sealed class BrokerReadinessCheck(EventJournal journal) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(journal.Recovering
            ? HealthCheckResult.Unhealthy("The journal is still queueing the deliveries a previous run owed.")
            : HealthCheckResult.Healthy());
}
