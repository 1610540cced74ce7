using System.Net.Sockets;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Topology;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Emulation;

/// <summary>
/// Fidelity of the emulated link over real loopback sockets. Timing assertions use medians after a
/// warm-up so one slow scheduler tick on a loaded machine does not decide the outcome.
/// </summary>
[Collection(LinkFidelity.Collection)]
public sealed class LinkProxyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Round_trip_time_is_twice_the_one_way_latency()
    {
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = LinkProxy.Start(echo.EndPoint, new LinkConditions(20, 80));
        using var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);

        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms) through a 20 ms link", () => TcpClientProbe.MedianPingAsync(client), 40 - 2, 40 + 2, output);
    }

    [Fact]
    public async Task Bulk_transfer_runs_at_the_link_bandwidth_despite_latency()
    {
        const long size = 10_000_000;
        var link = new LinkConditions(10, 80);
        await using var proxyTarget = LoopbackTcpServer.Sink(size);
        await using var proxy = LinkProxy.Start(proxyTarget.EndPoint, link);

        // Data at 80 Mbit/s, plus the one-way latency of the last byte out and of the acknowledgement back.
        // Were chunks delayed stop-and-wait, 10 ms per chunk would cap the rate far below 80 Mbit/s.
        var expectedMs = link.TransferTimeMs(size) + link.LatencyMs;
        await LinkFidelity.AssertWithinAsync(
            "10 MB over 80 Mbit/s, 10 ms (ms)", () => TcpClientProbe.UploadAsync(proxy.EndPoint, size), expectedMs * 0.9, expectedMs * 1.1, output);
        Assert.Equal(0, proxy.BytesToTarget % size);
    }

    [Fact]
    public async Task A_latency_change_applies_to_a_connection_already_open()
    {
        var link = new AdjustableLink(new LinkConditions(20, 80));
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = LinkProxy.Start(echo.EndPoint, () => link.Current);
        using var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);

        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms), 20 ms link", () => TcpClientProbe.MedianPingAsync(client, samples: 9), 40 - 2, 40 + 2, output);
        link.Current = new LinkConditions(10, 80);
        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms) on the same connection after switching to 10 ms", () => TcpClientProbe.MedianPingAsync(client, samples: 9), 20 - 2, 20 + 2, output);
    }

    [Fact]
    public async Task A_bandwidth_change_applies_to_a_connection_already_open()
    {
        const int size = 1_000_000;
        var link = new AdjustableLink(new LinkConditions(0, 80));
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = LinkProxy.Start(echo.EndPoint, () => link.Current);
        using var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);
        await TcpClientProbe.PingAsync(client);

        // 1 MB each way, paced in both directions at once: the echo takes about size / bandwidth
        // (plus one ~2 ms chunk stored and forwarded by the echo server).
        await LinkFidelity.AssertWithinAsync(
            "1 MB echoed at 80 Mbit/s (ms)", () => TcpClientProbe.EchoBulkAsync(client, size), 100 * 0.85, 100 * 1.2, output);
        link.Current = new LinkConditions(0, 20);
        await LinkFidelity.AssertWithinAsync(
            "1 MB echoed on the same connection at 20 Mbit/s (ms)", () => TcpClientProbe.EchoBulkAsync(client, size), 400 * 0.9, 400 * 1.1, output);
    }

    [Fact]
    public async Task Bytes_arrive_intact_and_in_order_and_a_half_close_is_passed_on()
    {
        const int size = 3_000_000;
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = LinkProxy.Start(echo.EndPoint, new LinkConditions(1, 1000), new LinkProxyOptions { ChunkBytes = 1000, MaxQueuedChunks = 8 });
        using var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);

        var receiving = TcpClientProbe.ReceiveExactlyAsync(client, size);
        await client.SendAsync(payload, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var echoed = await receiving;

        Assert.Equal(payload, echoed);
        Assert.True(await TcpClientProbe.SeesCloseAsync(client));
    }

    [Fact]
    public async Task While_the_link_is_down_nothing_passes_and_traffic_resumes_when_it_is_back()
    {
        var link = new AdjustableLink(null);
        await using var echo = LoopbackTcpServer.Echo();
        await using var proxy = LinkProxy.Start(echo.EndPoint, () => link.Current, new LinkProxyOptions { DownPollInterval = TimeSpan.FromMilliseconds(5) });
        using var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);

        var ping = TcpClientProbe.PingAsync(client);
        var finished = await Task.WhenAny(ping, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.NotSame(ping, finished);
        Assert.Equal(0, proxy.BytesToTarget);

        link.Current = new LinkConditions(1, 100);

        var rtt = await ping.WaitAsync(TcpClientProbe.Timeout);
        Assert.True(rtt >= 300, $"the ping was answered after {rtt} ms, before the link came back");
    }

    [Fact]
    public async Task Disposing_the_proxy_closes_every_connection_and_stops_accepting()
    {
        await using var echo = LoopbackTcpServer.Echo();
        var proxy = LinkProxy.Start(echo.EndPoint, new LinkConditions(1, 100));
        var clients = new List<Socket>();
        for (var i = 0; i < 3; i++)
        {
            var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);
            await TcpClientProbe.PingAsync(client);
            clients.Add(client);
        }

        Assert.Equal(3, proxy.ActiveConnections);
        await proxy.DisposeAsync().AsTask().WaitAsync(TcpClientProbe.Timeout);

        Assert.Equal(0, proxy.ActiveConnections);
        foreach (var client in clients)
        {
            Assert.True(await TcpClientProbe.SeesCloseAsync(client));
            client.Dispose();
        }

        await Assert.ThrowsAnyAsync<SocketException>(() => TcpClientProbe.ConnectAsync(proxy.EndPoint));
    }

    [Fact]
    public async Task A_target_that_refuses_the_connection_closes_the_client_side()
    {
        await using var echo = LoopbackTcpServer.Echo();
        var deadTarget = echo.EndPoint;
        await echo.DisposeAsync();
        await using var proxy = LinkProxy.Start(deadTarget, new LinkConditions(1, 100));
        using var client = await TcpClientProbe.ConnectAsync(proxy.EndPoint);

        Assert.True(await TcpClientProbe.SeesCloseAsync(client));
    }
}
