using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Skylark.Events.DeadLetters;

/// <summary>Ready while the log takes dead letters: its file is open, its writer runs, and the file is still where it was opened.</summary>
public sealed class DeadLetterReadinessCheck(DeadLetterLog log) : IHealthCheck
{
    public const string Name = "dead-letter-log";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.UnavailableReason is { } reason)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(reason));
        }

        // Appends to a file deleted (or moved) under the open handle would land where no restart finds them.
        return Task.FromResult(File.Exists(log.Path)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"'{log.Path}' is gone; what is written now would not be found after a restart."));
    }
}
