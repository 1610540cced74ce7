using System.Globalization;
using System.Net;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Topology;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Emulation;

/// <summary>
/// Pairs of nodes whose paths cross the same physical link share its bandwidth; pairs on different links
/// do not notice each other; every link counts the bytes it carried. Topology:
/// <c>a –100 Mbit/s– c –40 Mbit/s– d</c> and <c>b –100 Mbit/s– c</c>, 1 ms per link, so a→d and b→d
/// both cross c→d.
/// </summary>
[Collection(LinkFidelity.Collection)]
public sealed class PhysicalLinkContentionTests(ITestOutputHelper output)
{
    private const int Size = 2_000_000;

    /// <summary>Relative deviation from the expected transfer time every transfer of a round must stay within.</summary>
    private const double Tolerance = 0.2;

    private static readonly LinkConditions Access = new(1, 100);
    private static readonly LinkConditions Shared = new(1, 40);

    [Fact]
    public async Task Two_pairs_whose_paths_share_a_link_split_its_bandwidth()
    {
        using var clock = new TopologyClock(ThreeLinks());
        await using var emulator = new LinkEmulator(clock);
        await using var sinkOnD = LoopbackTcpServer.Sink(Size);
        var fromA = emulator.EndpointFor("a", "d", sinkOnD.EndPoint);
        var fromB = emulator.EndpointFor("b", "d", sinkOnD.EndPoint);

        // Alone, a→d runs at the 40 Mbit/s of c→d, plus the 2 ms path latency of the last byte and of the acknowledgement.
        var alone = SerialisationMs(Shared) + RoundTripMs(2);
        await AssertTransfersTakeAsync("a→d alone", [(fromA, alone)]);

        // Together, each gets half of c→d: both take twice as long, although each has its own 100 Mbit/s access link.
        var together = (2 * SerialisationMs(Shared)) + RoundTripMs(2);
        await AssertTransfersTakeAsync("a→d and b→d at once", [(fromA, together), (fromB, together)]);
    }

    [Fact]
    public async Task Pairs_on_different_links_do_not_slow_each_other()
    {
        using var clock = new TopologyClock(ThreeLinks());
        await using var emulator = new LinkEmulator(clock);
        await using var sink = LoopbackTcpServer.Sink(Size);

        // a→c crosses only a→c; b→d crosses b→c and c→d: no link in common.
        var aToC = SerialisationMs(Access) + RoundTripMs(1);
        var bToD = SerialisationMs(Shared) + RoundTripMs(2);
        await AssertTransfersTakeAsync(
            "a→c and b→d at once",
            [(emulator.EndpointFor("a", "c", sink.EndPoint), aToC), (emulator.EndpointFor("b", "d", sink.EndPoint), bToD)]);
    }

    [Fact]
    public async Task A_transfer_counts_its_bytes_on_every_link_it_crosses_and_once_in_the_total()
    {
        const int size = 1_000_000;
        using var clock = new TopologyClock(ThreeLinks());
        await using var emulator = new LinkEmulator(clock);
        await using var sinkOnD = LoopbackTcpServer.Sink(size);
        await using var sinkOnA = LoopbackTcpServer.Sink(size);

        // a→d crosses a→c and c→d; the sink's one-byte acknowledgement comes back over d→c and c→a.
        await TcpClientProbe.UploadAsync(emulator.EndpointFor("a", "d", sinkOnD.EndPoint), size);

        // A node reaching its own service bypasses the emulated network and is not counted.
        await TcpClientProbe.UploadAsync(emulator.EndpointFor("a", "a", sinkOnA.EndPoint), size);

        var perLink = emulator.TrafficPerLink().ToDictionary(t => t.Name, t => t.Bytes);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["a->c"] = size,
                ["c->a"] = 1,
                ["b->c"] = 0,
                ["c->b"] = 0,
                ["c->d"] = size,
                ["d->c"] = 1,
            },
            perLink);
        Assert.Equal(size + 1, emulator.TotalBytes);
    }

    private static double SerialisationMs(LinkConditions link) => Size * 8 / (link.BandwidthMbps * 1000);

    /// <summary>Data out and acknowledgement back over <paramref name="hops"/> links of 1 ms.</summary>
    private static double RoundTripMs(int hops) => 2 * hops * Access.LatencyMs;

    private static NetworkTopology ThreeLinks() => new(
        [new Node("a", NodeType.Sat), new Node("b", NodeType.Sat), new Node("c", NodeType.Sat), new Node("d", NodeType.Cloud)],
        [
            new Link("a", "c", Access.LatencyMs, Access.BandwidthMbps),
            new Link("b", "c", Access.LatencyMs, Access.BandwidthMbps),
            new Link("c", "d", Shared.LatencyMs, Shared.BandwidthMbps),
        ]);

    /// <summary>
    /// Runs the uploads at once, each on its own connection; a round passes when every one of them took its
    /// expected time within <see cref="Tolerance"/> (the value measured is the worst relative deviation).
    /// </summary>
    private Task AssertTransfersTakeAsync(string what, (IPEndPoint EndPoint, double ExpectedMs)[] transfers) =>
        LinkFidelity.AssertWithinAsync(
            $"{what}: worst relative deviation from the expected time",
            async () =>
            {
                var elapsed = await Task.WhenAll(transfers.Select(t => TcpClientProbe.UploadAsync(t.EndPoint, Size)));
                output.WriteLine(string.Join(
                    ", ",
                    transfers.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{elapsed[i]:F0} ms (expected {t.ExpectedMs:F0})"))));
                return transfers.Select((t, i) => Math.Abs((elapsed[i] / t.ExpectedMs) - 1)).Max();
            },
            0,
            Tolerance,
            output);
}
