namespace Skylark.Events.Lab.Up;

/// <summary>
/// The periodic-sync ping reaches every node's StateSink, as a PingSource per DaemonSet pod would on a cluster:
/// one request in, one copy per sink out.
/// </summary>
public sealed class SinkFanout(Func<IReadOnlyDictionary<string, Uri>> sinks, ILogger logger) : IDisposable
{
    private readonly HttpClient client = new() { Timeout = TimeSpan.FromSeconds(60) };

    public void Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(pattern, (Delegate)FanOutAsync);
    }

    public void Dispose() => client.Dispose();

    private async Task<IResult> FanOutAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var payload = body.ToArray();
        var failures = await Task.WhenAll(sinks().Select(async sink =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, sink.Value) { Content = new ByteArrayContent(payload) };
            foreach (var (name, values) in context.Request.Headers)
            {
                if (name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
                else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            try
            {
                using var response = await client.SendAsync(request, context.RequestAborted);
                return response.IsSuccessStatusCode ? null : $"{sink.Key}: {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                return $"{sink.Key}: {e.Message}";
            }
        }));

        var failed = failures.OfType<string>().ToList();
        if (failed.Count == 0)
        {
            return Results.Accepted();
        }

        logger.LogWarning("Sync ping did not reach every StateSink: {Failures}", string.Join("; ", failed));
        return Results.Problem(string.Join("; ", failed), statusCode: StatusCodes.Status502BadGateway);
    }
}
