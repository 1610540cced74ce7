using System.Text;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.Cli.Up;

/// <summary>
/// The <c>dead-letters</c> Service of eventing/broker.yaml: every dead-lettered event is appended to a JSON Lines
/// file (structured mode, Knative's error extensions included) so nothing the broker gives up on is lost.
/// </summary>
public sealed class DeadLetterLog(string path, ILogger logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public string Path { get; } = path;

    public int Count { get; private set; }

    /// <summary>Called with each dead letter once it is on disk (e.g. to count a workflow as failed).</summary>
    public Action<CloudEvent>? Observer { get; set; }

    public void Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(pattern, (Delegate)AppendAsync);
    }

    private async Task<IResult> AppendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        CloudEvent dead;
        try
        {
            dead = await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, cancellationToken);
        }
        catch (InvalidCloudEventException e)
        {
            return Results.BadRequest(e.Message);
        }

        var line = RawDataJsonEventFormatter.Instance.EncodeStructuredModeMessage(dead, out _);
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(line, cancellationToken);
            await file.WriteAsync("\n"u8.ToArray(), cancellationToken);
            Count++;
        }
        finally
        {
            gate.Release();
        }

        Observer?.Invoke(dead);
        logger.LogWarning(
            "Dead letter {Id} ({Type}) from {Destination}: status {Code} {Error}",
            dead.Id, dead.Type, dead["knativeerrordest"], dead["knativeerrorcode"], ErrorText(dead));
        return Results.Accepted();
    }

    private static string ErrorText(CloudEvent dead)
    {
        if (dead["knativeerrordata"] is not string data)
        {
            return "";
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }
        catch (FormatException)
        {
            return data;
        }
    }
}
