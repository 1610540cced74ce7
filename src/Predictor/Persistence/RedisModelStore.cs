using System.Text.Json;
using Skylark.Events.Contracts.Payloads;
using StackExchange.Redis;

namespace Skylark.Events.Predictor.Persistence;

/// <summary>
/// Keeps the learned model as one JSON value under one Redis key: written whole with SET, so a reader never sees
/// half a model, and small because every table of the model is bounded.
/// </summary>
public sealed class RedisModelStore
{
    private readonly IConnectionMultiplexer _redis;

    public RedisModelStore(IConnectionMultiplexer redis, string key)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _redis = redis;
        Key = key;
    }

    public string Key { get; }

    /// <returns>The stored model, or null when none is stored.</returns>
    /// <exception cref="RedisException">Redis is unreachable.</exception>
    /// <exception cref="JsonException">The stored value is not a model.</exception>
    public async Task<PredictorModelState?> LoadAsync(CancellationToken cancellationToken)
    {
        var value = await _redis.GetDatabase().StringGetAsync(Key).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : JsonSerializer.Deserialize<PredictorModelState>((byte[])value!, ContractJson.Options);
    }

    /// <returns>The number of bytes written.</returns>
    public async Task<int> SaveAsync(PredictorModelState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var json = JsonSerializer.SerializeToUtf8Bytes(state, ContractJson.Options);
        await _redis.GetDatabase().StringSetAsync(Key, json).WaitAsync(cancellationToken).ConfigureAwait(false);
        return json.Length;
    }
}
