using System.Net;
using System.Security.Cryptography;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Topology;

namespace Skylark.Events.Benchmarks;

/// <summary>
/// The bundling experiment (after Databelt's): a satellite reads B bundles either one request after the other or
/// fused into one request, with the state in the cloud (across an emulated ground link), on a neighbouring satellite
/// (one inter-satellite hop) or on the satellite itself (its own Redis); small bundles (16 KiB), where round trips
/// dominate, and large ones (10 MB), where the link's bandwidth does. Real components throughout: one
/// redis-server and one StateSink (the composition of <c>skylark up</c>) per node, <see cref="LinkProxy"/> between
/// the reader and each holder, and the reader's own <see cref="HttpBundlePuller"/>.
/// </summary>
public static class FusionBenchmark
{
    private const string ReaderNode = "sat-reader";
    private const string CloudNode = "cloud";
    private const string NeighbourNode = "sat-neighbour";
    private const string WorkflowId = "fusion-bench";
    private const string ItemName = "data";

    /// <summary>Reads of at least this many bytes get a full, compacting collection before they are timed.</summary>
    private const long CollectBeforeReadsOfBytes = 1_000_000;

    /// <summary>Headroom over the payload for the item name, so a bundle of exactly <c>BundleBytes</c> is accepted.</summary>
    private const long BundleSlackBytes = 64 * 1024;

    /// <exception cref="RedisServerNotFoundException">redis-server is not installed.</exception>
    /// <summary>Measures every case; with a <c>progress</c> writer, says after each placement and bundle size how many are left and about how long they take.</summary>
    public static async Task<FusionBenchmarkReport> RunAsync(FusionBenchmarkOptions options, CancellationToken ct, TextWriter? progress = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var startedAt = DateTimeOffset.UtcNow;
        var started = TimeProvider.System.GetTimestamp();
        var running = new List<IAsyncDisposable>();
        try
        {
            var topology = Topology(options);
            var peerToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            var redis = new Dictionary<string, RedisProcess>(StringComparer.Ordinal);
            foreach (var node in topology.Nodes)
            {
                var process = await RedisProcess.StartAsync(node.Name, cancellationToken: ct).ConfigureAwait(false);
                running.Add(process);
                redis[node.Name] = process;
            }

            var maxBundleBytes = Math.Max(options.BundleBytes, options.SmallBundleBytes) + BundleSlackBytes;
            var cloud = await StartNodeAsync(CloudNode, redis[CloudNode], topology, peerToken, maxBundleBytes, new Dictionary<string, Uri>(), ct).ConfigureAwait(false);
            running.Add(cloud);
            var neighbour = await StartNodeAsync(NeighbourNode, redis[NeighbourNode], topology, peerToken, maxBundleBytes, new Dictionary<string, Uri>(), ct).ConfigureAwait(false);
            running.Add(neighbour);

            var toCloud = LinkProxy.Start(new IPEndPoint(IPAddress.Loopback, cloud.Url.Port), new LinkConditions(options.CloudLatencyMs, options.CloudBandwidthMbps));
            running.Add(toCloud);
            var toNeighbour = LinkProxy.Start(new IPEndPoint(IPAddress.Loopback, neighbour.Url.Port), new LinkConditions(options.NeighbourLatencyMs, options.NeighbourBandwidthMbps));
            running.Add(toNeighbour);
            var sinks = new Dictionary<string, Uri>(StringComparer.Ordinal)
            {
                [CloudNode] = Through(cloud.Url, toCloud),
                [NeighbourNode] = Through(neighbour.Url, toNeighbour),
            };
            var reader = await StartNodeAsync(ReaderNode, redis[ReaderNode], topology, peerToken, maxBundleBytes, sinks, ct).ConfigureAwait(false);
            running.Add(reader);

            // Random bytes: incompressible, so nothing on the path (none compresses today) could make a bundle cheaper than its size.
            var payloads = Enumerable.Range(0, options.MaxBundles).Select(_ => RandomNumberGenerator.GetBytes(options.BundleBytes)).ToArray();
            var smallPayloads = Enumerable.Range(0, options.MaxSmallBundles).Select(_ => RandomNumberGenerator.GetBytes(options.SmallBundleBytes)).ToArray();
            var small = new BundleSet("small", options.SmallBundleBytes, smallPayloads);
            var large = new BundleSet("bundle", options.BundleBytes, payloads);
            var puller = reader.Services.GetRequiredService<HttpBundlePuller>();
            var localStore = reader.Services.GetRequiredService<BundleStore>();
            var cases = new List<FusionCase>();
            var steps = new StepProgress("fusion", 5, time ?? TimeProvider.System);
            async Task SayAsync(string what)
            {
                if (progress is not null)
                {
                    await progress.WriteLineAsync($"  {steps.Step()} {what}").ConfigureAwait(false);
                }
            }

            // Per link, the small bundles first: they are cheap, and no 10 MB transfer is then still draining anywhere.
            cases.AddRange(await MeasureLinkAsync(
                FusionPlacement.Cloud, options.SmallCloudBundleCounts, options.CloudLatencyMs, options.CloudBandwidthMbps,
                cloud, puller, small, options, ct).ConfigureAwait(false));
            await SayAsync("small bundles held in the cloud").ConfigureAwait(false);
            cases.AddRange(await MeasureLinkAsync(
                FusionPlacement.Cloud, options.CloudBundleCounts, options.CloudLatencyMs, options.CloudBandwidthMbps,
                cloud, puller, large, options, ct).ConfigureAwait(false));
            await SayAsync("large bundles held in the cloud").ConfigureAwait(false);
            cases.AddRange(await MeasureLinkAsync(
                FusionPlacement.Neighbour, options.SmallNeighbourBundleCounts, options.NeighbourLatencyMs, options.NeighbourBandwidthMbps,
                neighbour, puller, small, options, ct).ConfigureAwait(false));
            await SayAsync("small bundles held on a neighbour").ConfigureAwait(false);
            cases.AddRange(await MeasureLinkAsync(
                FusionPlacement.Neighbour, options.NeighbourBundleCounts, options.NeighbourLatencyMs, options.NeighbourBandwidthMbps,
                neighbour, puller, large, options, ct).ConfigureAwait(false));
            await SayAsync("large bundles held on a neighbour").ConfigureAwait(false);
            cases.AddRange(await MeasureLocalAsync(localStore, large, options.LocalBundleCounts, options, ct).ConfigureAwait(false));
            await SayAsync("bundles held locally").ConfigureAwait(false);

            return new FusionBenchmarkReport(
                startedAt,
                TimeProvider.System.GetElapsedTime(started),
                MachineInfo.Cores,
                MachineInfo.MemoryGiB,
                options,
                cases);
        }
        finally
        {
            // Reverse start order: the reader stops before the links and holders it pulls from.
            for (var i = running.Count - 1; i >= 0; i--)
            {
                await running[i].DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static NetworkTopology Topology(FusionBenchmarkOptions options) => new(
        [new Node(ReaderNode, NodeType.Sat), new Node(CloudNode, NodeType.Cloud), new Node(NeighbourNode, NodeType.Sat)],
        [
            new Link(ReaderNode, CloudNode, options.CloudLatencyMs, options.CloudBandwidthMbps),
            new Link(ReaderNode, NeighbourNode, options.NeighbourLatencyMs, options.NeighbourBandwidthMbps),
        ],
        name: "fusion-benchmark");

    private static Uri Through(Uri sink, LinkProxy proxy) => new UriBuilder(sink) { Port = proxy.EndPoint.Port }.Uri;

    /// <summary>One node as <c>skylark up</c> composes it (state on its own Redis, its StateSink), without functions.</summary>
    private static Task<LocalWebApp> StartNodeAsync(
        string node, RedisProcess redis, NetworkTopology topology, string peerToken, long maxBundleBytes, IDictionary<string, Uri> sinks, CancellationToken ct) =>
        LocalWebApp.StartAsync(
            $"node-{node}",
            services =>
            {
                services.AddSkylarkState(state =>
                {
                    state.Configuration = redis.Endpoint;
                    state.Password = redis.Password;
                    state.Node = node;
                    state.MaxBundleBytes = maxBundleBytes;
                });
                services.AddStateSink(sink =>
                {
                    sink.PeerToken = peerToken;
                    sink.Topology = topology;
                    foreach (var (name, url) in sinks)
                    {
                        sink.Sinks[name] = url;
                    }
                });
            },
            app => app.MapStateSink(),
            cancellationToken: ct);

    private static async Task<IReadOnlyList<StateRef>> StoreAsync(BundleStore store, BundleSet set, int count, CancellationToken ct)
    {
        var refs = new List<StateRef>(count);
        for (var i = 0; i < count; i++)
        {
            var stateRef = new StateRef(store.Node, WorkflowId, $"{set.NamePrefix}{i}");
            await store.WriteAsync(stateRef, new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal) { [ItemName] = set.Payloads[i] }, cancellationToken: ct).ConfigureAwait(false);
            refs.Add(stateRef);
        }

        return refs;
    }

    private static async Task<IReadOnlyList<FusionCase>> MeasureLinkAsync(
        FusionPlacement placement,
        IReadOnlyList<int> counts,
        double latencyMs,
        double bandwidthMbps,
        LocalWebApp holder,
        HttpBundlePuller puller,
        BundleSet set,
        FusionBenchmarkOptions options,
        CancellationToken ct)
    {
        if (counts.Count == 0)
        {
            return [];
        }

        var store = holder.Services.GetRequiredService<BundleStore>();
        var refs = await StoreAsync(store, set, counts.Max(), ct).ConfigureAwait(false);
        var expectedSize = BundleSize(set);

        async Task SeparateAsync(int bundles)
        {
            for (var i = 0; i < bundles; i++)
            {
                Check(await puller.PullAsync(refs[i], ct).ConfigureAwait(false), refs[i], expectedSize);
            }
        }

        async Task FusedAsync(int bundles)
        {
            var pulled = await puller.PullManyAsync(store.Node, [.. refs.Take(bundles)], ct).ConfigureAwait(false);
            for (var i = 0; i < bundles; i++)
            {
                Check(pulled[i], refs[i], expectedSize);
            }
        }

        // Warm-up: JIT, the pooled connection through the proxy, and the holder's Redis connection.
        await SeparateAsync(1).ConfigureAwait(false);
        await FusedAsync(1).ConfigureAwait(false);
        return await RepeatAsync(placement, counts, latencyMs, bandwidthMbps, set.BundleBytes, SeparateAsync, FusedAsync, options, ct).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<FusionCase>> MeasureLocalAsync(
        BundleStore store, BundleSet set, IReadOnlyList<int> counts, FusionBenchmarkOptions options, CancellationToken ct)
    {
        if (counts.Count == 0)
        {
            return [];
        }

        var refs = await StoreAsync(store, set, counts.Max(), ct).ConfigureAwait(false);
        var expectedSize = BundleSize(set);

        async Task SeparateAsync(int bundles)
        {
            for (var i = 0; i < bundles; i++)
            {
                Check(await store.ReadAsync(refs[i], ct).ConfigureAwait(false), refs[i], expectedSize);
            }
        }

        async Task FusedAsync(int bundles)
        {
            var read = await store.ReadManyAsync([.. refs.Take(bundles)], ct).ConfigureAwait(false);
            for (var i = 0; i < bundles; i++)
            {
                Check(read[i], refs[i], expectedSize);
            }
        }

        await SeparateAsync(1).ConfigureAwait(false);
        await FusedAsync(1).ConfigureAwait(false);
        return await RepeatAsync(FusionPlacement.Local, counts, null, null, set.BundleBytes, SeparateAsync, FusedAsync, options, ct).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<FusionCase>> RepeatAsync(
        FusionPlacement placement,
        IReadOnlyList<int> counts,
        double? latencyMs,
        double? bandwidthMbps,
        int bundleBytes,
        Func<int, Task> separate,
        Func<int, Task> fused,
        FusionBenchmarkOptions options,
        CancellationToken ct)
    {
        var separateMs = counts.ToDictionary(b => b, _ => new List<double>());
        var fusedMs = counts.ToDictionary(b => b, _ => new List<double>());
        for (var repetition = 0; repetition < options.Repetitions; repetition++)
        {
            foreach (var bundles in counts)
            {
                // Alternate which goes first so neither always follows the other's garbage or warmed caches.
                var collect = (long)bundles * bundleBytes >= CollectBeforeReadsOfBytes;
                if (repetition % 2 == 0)
                {
                    separateMs[bundles].Add(await TimeAsync(() => separate(bundles), collect, ct).ConfigureAwait(false));
                    fusedMs[bundles].Add(await TimeAsync(() => fused(bundles), collect, ct).ConfigureAwait(false));
                }
                else
                {
                    fusedMs[bundles].Add(await TimeAsync(() => fused(bundles), collect, ct).ConfigureAwait(false));
                    separateMs[bundles].Add(await TimeAsync(() => separate(bundles), collect, ct).ConfigureAwait(false));
                }
            }
        }

        return [.. counts.Select(b => new FusionCase(
            placement, b, (long)b * bundleBytes, latencyMs, bandwidthMbps, separateMs[b], fusedMs[b]))];
    }

    private static async Task<double> TimeAsync(Func<Task> read, bool collectFirst, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (collectFirst)
        {
            // Tens of MB of large-object garbage per read: collect it outside the timed section, not inside the next read.
            // Reads of small bundles leave tens of kB: no full collection before them, which keeps their cases cheap.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var started = TimeProvider.System.GetTimestamp();
        await read().ConfigureAwait(false);
        return TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
    }

    private static long BundleSize(BundleSet set) => ItemName.Length + (long)set.BundleBytes;

    private static void Check(Bundle? bundle, StateRef expected, long size)
    {
        // A missing or short bundle would make a read look fast; fail the run instead of reporting it.
        if (bundle is null)
        {
            throw new InvalidOperationException($"{expected} was not found; the benchmark stored it before measuring.");
        }

        if (bundle.SizeBytes != size)
        {
            throw new InvalidOperationException($"{expected} came back with {bundle.SizeBytes} bytes, not {size}.");
        }
    }

    /// <summary>Bundles of one size, stored as <c>{NamePrefix}0</c>, <c>{NamePrefix}1</c>, … on a holder.</summary>
    private sealed record BundleSet(string NamePrefix, int BundleBytes, byte[][] Payloads);
}
