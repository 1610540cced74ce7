using System.Text.Json;
using System.Text.Json.Serialization;
using Skylark.Events.Hosting;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// What <c>skylark up</c> writes for other tools (<c>skylark state</c>, tests, scripts), exactly:
/// <c>{"broker": "&lt;ingress url&gt;", "nodes": {"&lt;name&gt;": {"redis": "&lt;host:port, direct&gt;", "redisPassword": "…", "sink": "&lt;url&gt;", "mqtt": "&lt;mqtt url, ingest nodes only&gt;"}}}</c>.
/// </summary>
public sealed record EndpointsFile(
    [property: JsonPropertyName("broker")] Uri Broker,
    [property: JsonPropertyName("nodes")] IReadOnlyDictionary<string, NodeEndpoints> Nodes)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        // Written whole then renamed, so a reader polling for the file never sees half of it; 0600, because it holds
        // the Redis passwords.
        var temporary = path + ".tmp";
        await using (var file = OwnerOnlyFiles.Open(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(file, this, Json, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <exception cref="InvalidDataException">The file is not an endpoints file; the message says why.</exception>
    public static async Task<EndpointsFile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(path);
            var endpoints = await JsonSerializer.DeserializeAsync<EndpointsFile>(file, Json, cancellationToken);
            return endpoints is { Broker: not null, Nodes: not null }
                ? endpoints
                : throw new InvalidDataException($"{path} is not a skylark endpoints file (expected \"broker\" and \"nodes\").");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }
}

public sealed record NodeEndpoints(
    [property: JsonPropertyName("redis")] string Redis,
    [property: JsonPropertyName("redisPassword")] string RedisPassword,
    [property: JsonPropertyName("sink")] Uri Sink)
{
    /// <summary>The MQTT broker this node's cameras publish to; absent when the node ingests no cameras.</summary>
    [JsonPropertyName("mqtt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Uri? Mqtt { get; init; }
}
