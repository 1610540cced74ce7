using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Skylark.Events.Predictor.Persistence;
using StackExchange.Redis;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>
/// Ready when decisions can be made and sent: the stored model has been loaded, the topology has (when it comes from
/// the Kubernetes API), its Redis answers PING (when it has one) and the broker ingress answers HTTP at all (any
/// status: only an unreachable broker loses commands).
/// </summary>
public sealed class PredictorReadinessCheck(
    IEnumerable<IHostedService> hosted,
    IOptions<PredictorOptions> options,
    IHttpClientFactory clients,
    PredictorTopology topology) : IHealthCheck
{
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var persistence = hosted.OfType<ModelPersistenceService>().FirstOrDefault();
        if (persistence is { ModelLoaded: false })
        {
            return HealthCheckResult.Unhealthy("The stored model has not been loaded yet.");
        }

        if (topology.NotReadyReason is { } notLoaded)
        {
            return HealthCheckResult.Unhealthy(notLoaded);
        }

        if (persistence?.Redis is { } redis)
        {
            try
            {
                await redis.GetDatabase().PingAsync().WaitAsync(BrokerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"The model's Redis does not answer PING: {error.Message}");
            }
        }

        if (options.Value.BrokerUrl is { } broker)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BrokerTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, broker);
                using var response = await clients.CreateClient(PropagateSender.HttpClientName)
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"The broker at {broker} does not answer: {error.Message}");
            }
        }

        return HealthCheckResult.Healthy();
    }
}
