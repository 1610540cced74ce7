using System.Net;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions;

public sealed class RedisDownTests
{
    [Fact]
    public async Task When_the_nodes_redis_goes_down_a_delivery_is_answered_503_so_it_is_retried()
    {
        var redis = await RedisServer.StartAsync();
        var running = true;
        try
        {
            var state = redis.StateOptions("edge-1");
            // Short timeouts: a command issued while disconnected waits in the backlog until its timeout.
            state.Configuration += ",connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000";
            await using var edge = await FunctionNode.StartAsync(state, redis: null);
            var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);
            var before = await edge.Client.PostAsync("/preprocess", frame);

            running = false;
            await redis.DisposeAsync();
            var after = await edge.Client.PostAsync("/preprocess", frame);

            Assert.Equal(HttpStatusCode.OK, before.Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, after.Status);
            Assert.Contains("unavailable", after.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            if (running)
            {
                await redis.DisposeAsync();
            }
        }
    }
}
