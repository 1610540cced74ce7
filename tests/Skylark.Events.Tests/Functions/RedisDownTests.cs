using System.Diagnostics;
using System.Net;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Functions;

/// <summary>
/// A node whose redis-server has died: once the client has seen the connection drop, deliveries are answered 503 at
/// once, so the broker's retries and then its dead-letter sink take over, and detect's per-camera lock is never held
/// waiting out the client's 5 s command timeout. When the server is back, deliveries succeed again.
/// </summary>
public sealed class RedisDownTests
{
    // Far below the 5 s command timeout a command would otherwise wait in the client's backlog.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task When_the_nodes_redis_goes_down_a_delivery_is_answered_503_at_once_so_it_is_retried()
    {
        var redis = await RedisServer.StartAsync();
        var running = true;
        try
        {
            await using var edge = await FunctionNode.StartAsync(redis.StateOptions("edge-1"), redis: null);
            var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);
            var before = await edge.Client.PostAsync("/preprocess", frame);

            running = false;
            await redis.DisposeAsync();
            await Poll.UntilAsync(() => !edge.Store.IsConnected, "the client sees its connection drop");
            var clock = Stopwatch.StartNew();
            var after = await edge.Client.PostAsync("/preprocess", frame);
            var elapsed = clock.Elapsed;

            Assert.Equal(HttpStatusCode.OK, before.Status);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, after.Status);
            Assert.Contains("The Redis of node 'edge-1' is not connected", after.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.True(elapsed < Prompt, $"Answered after {elapsed}.");
        }
        finally
        {
            if (running)
            {
                await redis.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Frames_of_one_camera_queued_behind_detects_lock_are_all_answered_promptly_when_redis_is_down()
    {
        var redis = await RedisServer.StartAsync();
        var running = true;
        try
        {
            await using var edge = await FunctionNode.StartAsync(redis.StateOptions("edge-1"), redis: null);
            var preprocessed = new List<FunctionResponse>();
            for (var seq = 0; seq < 8; seq++)
            {
                preprocessed.Add(await edge.Client.PostAsync("/preprocess", await TestCamera.CaptureAsync(edge.Store, "cam-1", seq)));
            }

            running = false;
            await redis.DisposeAsync();
            await Poll.UntilAsync(() => !edge.Store.IsConnected, "the client sees its connection drop");
            var clock = Stopwatch.StartNew();
            var detected = await Task.WhenAll(preprocessed.Select(p => edge.Client.PostAsync("/detect", p.Forwardable())));
            var elapsed = clock.Elapsed;

            Assert.All(detected, d => Assert.Equal(HttpStatusCode.ServiceUnavailable, d.Status));
            Assert.True(elapsed < Prompt * 2, $"Eight deliveries serialized on one camera took {elapsed}.");
        }
        finally
        {
            if (running)
            {
                await redis.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task When_the_redis_comes_back_the_next_delivery_succeeds()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var edge = await FunctionNode.StartAsync(redis.StateOptions("edge-1"), redis: null);
        var frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);

        await redis.Process.RestartAsync(CancellationToken.None);

        // This server has no persistence, so the frame is stored again once the client has reconnected.
        await Poll.UntilAsync(
            async () =>
            {
                if (!edge.Store.IsConnected)
                {
                    return false;
                }

                frame = await TestCamera.CaptureAsync(edge.Store, "cam-1", 0);
                return (await edge.Client.PostAsync("/preprocess", frame)).Status == HttpStatusCode.OK;
            },
            "preprocess succeeds against the restarted redis-server");
    }
}
