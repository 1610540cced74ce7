using System.Text.Json;
using System.Text.Json.Serialization;
using Skylark.Events.Hosting;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// What <c>skylark up</c> writes for other tools (<c>skylark state</c>, tests, scripts), exactly:
/// <c>{"broker": "&lt;ingress url&gt;", "nodes": {"&lt;name&gt;": {"redis": "&lt;host:port, direct&gt;", "redisPassword": "…", "sink": "&lt;url&gt;", "mqtt": "&lt;mqtt url, ingest nodes only&gt;"}}, "dashboard": "&lt;url&gt;", "mqttPasswords": {"operator": "…", "cam-1": "…"}, "tokens": {"operator": "&lt;jwt&gt;", …}}</c>.
/// It holds passwords and tokens, so it is created readable by its owner only (0600).
/// </summary>
public sealed record EndpointsFile(
    [property: JsonPropertyName("broker")] Uri Broker,
    [property: JsonPropertyName("nodes")] IReadOnlyDictionary<string, NodeEndpoints> Nodes)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>
    /// The MQTT users of the embedded servers a person or device may log in as, with their passwords: <c>operator</c>
    /// (reads <c>alarms/#</c> and dead letters) and one per camera (publishes under <c>cameras/&lt;user&gt;/</c>). Absent
    /// with an external broker, whose own configuration holds its users.
    /// </summary>
    [JsonPropertyName("mqttPasswords")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? MqttPasswords { get; init; }

    /// <summary>
    /// Every identity's token, by identity (<c>operator</c>, <c>predictor</c>, each function, <c>statesink-&lt;node&gt;</c>,
    /// <c>camera-ingest</c>, <c>broker</c>), so local tools and tests can send as any of them. Absent with <c>--auth off</c>.
    /// </summary>
    [JsonPropertyName("tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Tokens { get; init; }

    /// <summary>The live dashboard of the run (<c>http://127.0.0.1:PORT/</c>); absent when none runs.</summary>
    [JsonPropertyName("dashboard")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Uri? Dashboard { get; init; }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        // Written whole then renamed, so a reader polling for the file never sees half of it; 0600 from its creation,
        // because it holds the Redis and MQTT passwords.
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
