using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Topology;
using Skylark.Events.Tests.Topology;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Emulation;

[Collection(LinkFidelity.Collection)]
public sealed class LinkEmulatorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_caller_reaches_a_remote_service_over_the_lowest_latency_path()
    {
        using var clock = new TopologyClock(TopologyLoader.Load(TopologyFiles.ThreeNodes));
        await using var emulator = new LinkEmulator(clock);
        await using var cloudService = LoopbackTcpServer.Echo();

        var endpoint = emulator.EndpointFor("edge", "cloud", cloudService.EndPoint);
        using var client = await TcpClientProbe.ConnectAsync(endpoint);

        // edge–sat–cloud: 10 + 25 = 35 ms each way (the direct 40 ms link is slower).
        Assert.Equal(new LinkConditions(35, 30), emulator.CurrentConditions("edge", "cloud"));
        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms) edge→cloud", () => TcpClientProbe.MedianPingAsync(client, samples: 9), 70 - 2, 70 + 2, output);
    }

    [Fact]
    public async Task Routes_are_reused_per_caller_and_service_and_a_node_calls_itself_directly()
    {
        using var clock = new TopologyClock(TopologyLoader.Load(TopologyFiles.ThreeNodes));
        await using var emulator = new LinkEmulator(clock);
        var service = new IPEndPoint(IPAddress.Loopback, 6379);

        var fromEdge = emulator.EndpointFor("edge", "cloud", service);
        var again = emulator.EndpointFor("edge", "cloud", service);
        var fromSat = emulator.EndpointFor("sat", "cloud", service);

        Assert.Equal(fromEdge, again);
        Assert.NotEqual(fromEdge, fromSat);
        Assert.Equal(service, emulator.EndpointFor("cloud", "cloud", service));
        Assert.Equal(2, emulator.Routes.Count);
        Assert.Contains(new EmulatedRoute("sat", "cloud", service, fromSat, TrafficClass.State), emulator.Routes);

        // Events to the same service get a proxy of their own, so their bytes are counted apart.
        var control = emulator.EndpointFor("sat", "cloud", service, TrafficClass.Control);
        Assert.NotEqual(fromSat, control);
        Assert.Contains(new EmulatedRoute("sat", "cloud", service, control, TrafficClass.Control), emulator.Routes);
        Assert.Throws<KeyNotFoundException>(() => emulator.EndpointFor("edge", "moon", service));
    }

    [Fact]
    public async Task A_snapshot_change_reroutes_an_open_connection()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var clock = new TopologyClock(TopologyLoader.Load(TopologyFiles.DatabeltTestbed), time);
        await using var emulator = new LinkEmulator(clock);
        await using var cloudService = LoopbackTcpServer.Echo();
        using var client = await TcpClientProbe.ConnectAsync(emulator.EndpointFor("pi5u2", "pi5u1", cloudService.EndPoint));

        // Minute 0: pi5u2 itself has the ground link (50 ms).
        Assert.Equal(new LinkConditions(50, 30), emulator.CurrentConditions("pi5u2", "pi5u1"));
        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms) pi5u2→cloud, minute 0", () => TcpClientProbe.MedianPingAsync(client, samples: 5, warmUp: 3), 100 - 2, 100 + 2, output);

        // Minute 1: the ground link moved to pi5u3, one 10 ms hop further.
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new LinkConditions(60, 30), emulator.CurrentConditions("pi5u2", "pi5u1"));
        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms) pi5u2→cloud on the same connection, minute 1", () => TcpClientProbe.MedianPingAsync(client, samples: 5, warmUp: 3), 120 - 2, 120 + 2, output);
    }

    [Fact]
    public async Task A_node_cut_off_stalls_its_connections_without_losing_a_byte_until_it_rejoins()
    {
        using var clock = new TopologyClock(TopologyLoader.Load(TopologyFiles.ThreeNodes));
        await using var emulator = new LinkEmulator(clock);
        await using var cloudService = LoopbackTcpServer.Echo();
        using var client = await TcpClientProbe.ConnectAsync(emulator.EndpointFor("sat", "cloud", cloudService.EndPoint));
        await TcpClientProbe.PingAsync(client);

        emulator.Isolate("sat");
        var message = new byte[32];
        Random.Shared.NextBytes(message);
        await client.SendAsync(message, SocketFlags.None);
        var echo = TcpClientProbe.ReceiveExactlyAsync(client, message.Length);
        var stalled = await Task.WhenAny(echo, Task.Delay(TimeSpan.FromMilliseconds(500))) != echo;

        Assert.True(stalled, "The echo crossed a link that was cut.");
        Assert.Null(emulator.CurrentConditions("sat", "cloud"));
        Assert.Null(emulator.CurrentConditions("edge", "sat"));
        // edge→cloud went through sat (35 ms); it falls back to the direct link.
        Assert.Equal(new LinkConditions(40, 20), emulator.CurrentConditions("edge", "cloud"));
        using var edge = await TcpClientProbe.ConnectAsync(emulator.EndpointFor("edge", "cloud", cloudService.EndPoint));
        // 80 ms on the direct link against 70 via sat: the lower bound tells them apart, and load only adds to an RTT.
        await LinkFidelity.AssertWithinAsync(
            "median RTT (ms) edge→cloud with sat cut off", () => TcpClientProbe.MedianPingAsync(edge, samples: 5), 80 - 2, 80 + 40, output);

        emulator.Rejoin("sat");

        Assert.Equal(message, await echo.WaitAsync(TcpClientProbe.Timeout));
        Assert.Empty(emulator.Isolated);
        Assert.NotNull(emulator.CurrentConditions("sat", "cloud"));
    }

    [Fact]
    public async Task Disposing_the_emulator_closes_its_proxies()
    {
        using var clock = new TopologyClock(TopologyLoader.Load(TopologyFiles.ThreeNodes));
        var emulator = new LinkEmulator(clock);
        await using var cloudService = LoopbackTcpServer.Echo();
        var endpoint = emulator.EndpointFor("sat", "cloud", cloudService.EndPoint);
        using var client = await TcpClientProbe.ConnectAsync(endpoint);
        await TcpClientProbe.PingAsync(client);

        await emulator.DisposeAsync();

        Assert.True(await TcpClientProbe.SeesCloseAsync(client));
        await Assert.ThrowsAnyAsync<SocketException>(() => TcpClientProbe.ConnectAsync(endpoint));
        Assert.Throws<ObjectDisposedException>(() => emulator.EndpointFor("sat", "cloud", cloudService.EndPoint));
    }
}
