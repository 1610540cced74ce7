namespace Skylark.Events.Tests.Support;

/// <summary>
/// Test classes marked <c>[Collection(RedisCollection.Name)]</c> share one <see cref="RedisServer"/> (injected into
/// their constructor) and run one after another; each test keeps to its own key prefix.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis server";
}
