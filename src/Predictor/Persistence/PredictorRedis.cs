using StackExchange.Redis;

namespace Skylark.Events.Predictor.Persistence;

/// <summary>A Redis connection the host already has, for the Predictor to persist its model through instead of connecting itself.</summary>
public sealed record PredictorRedis(IConnectionMultiplexer Multiplexer);
