using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.State;

[Collection(RedisCollection.Name)]
public sealed class RedisPasswordTests(RedisServer redis)
{
    [Fact]
    public async Task Connecting_without_the_password_fails()
    {
        var configuration = redis.ClientConfiguration();
        configuration.Password = null;

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(configuration));

        Assert.Contains("NOAUTH", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_with_a_wrong_password_fails()
    {
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(redis.ClientConfiguration("wrong")));
    }

    [Fact]
    public async Task Commands_sent_before_authenticating_are_refused()
    {
        await using var raw = await RespConnection.ConnectAsync(redis.Port);

        var error = await Assert.ThrowsAsync<RespErrorException>(() => raw.SendAsync("GET", "anything"));

        Assert.StartsWith("NOAUTH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_with_the_password_works()
    {
        await using var connection = await redis.ConnectAsync();

        Assert.True(connection.IsConnected);
        Assert.True((await connection.GetDatabase().PingAsync()) >= TimeSpan.Zero);
    }
}
