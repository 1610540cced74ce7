using System.Collections.Concurrent;
using System.Net;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// <c>POST /peer/bundles:fetch?wait=ms</c> from a caller that accepts format version 2: a bundle written item by item
/// is streamed while it is written. Real sinks on Kestrel, each on its own redis-server.
/// </summary>
public sealed class StreamedFetchTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static readonly BundleWireLimits Limits = new(8 * 1024 * 1024);
    private static readonly StateRef Output = StateRef.Parse("sat-1/wf/detect.result");

    private static HttpRequestMessage Fetch(string query, bool streaming, params string[] refs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/peer/bundles:fetch" + query) { Content = JsonContent.Create(refs) };
        if (streaming)
        {
            request.Headers.Accept.ParseAdd(BundleWireFormat.StreamingMediaType);
        }

        request.Headers.Accept.ParseAdd(BundleWireFormat.MediaType);
        return request;
    }

    private static byte[] Tile(int index) => [.. Enumerable.Range(0, 20_000 + index).Select(i => (byte)(i + index))];

    private static BundleWriteWatcher Watcher(SinkNode node) => node.Services.GetRequiredService<BundleWriteWatcher>();

    private static async Task<(BundleWireReader Reader, Stream Body)> OpenAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync();
        var reader = new BundleWireReader(body, Limits);
        return (reader, body);
    }

    [Fact]
    public async Task The_answer_starts_at_the_first_staged_item_and_each_item_arrives_before_the_commit()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await using var writer = cluster.SatA.Store.BeginWrite(Output);
        using var request = Fetch("?wait=10000", streaming: true, Output.ToString());

        var sent = cluster.SatA.PeerClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the fetch waits for the bundle to be started");
        Assert.False(sent.IsCompleted);
        await writer.AppendAsync("tile-0", Tile(0));

        using var response = await sent.WaitAsync(SinkCluster.Bound);
        Assert.Equal(BundleWireFormat.StreamingMediaType, response.Content.Headers.ContentType!.ToString());
        var (reader, body) = await OpenAsync(response);
        await using (body)
        {
            Assert.Equal(1, await reader.ReadHeaderAsync().WaitAsync(SinkCluster.Bound));
            Assert.Equal(BundleWireFormat.StreamingFormatVersion, reader.FormatVersion);
            var receiver = new RecordingReceiver();
            var entry = reader.ReadEntryAsync(0, receiver);
            await Poll.UntilAsync(() => receiver.Items.Count == 1, "the first item arrived");
            await writer.AppendAsync("tile-1", Tile(1));
            await Poll.UntilAsync(() => receiver.Items.Count == 2, "the second item arrived");
            Assert.False(entry.IsCompleted);
            Assert.Null(await cluster.SatA.Store.GetVersionAsync(Output));

            var committed = await writer.CommitAsync();

            var streamed = await entry.WaitAsync(SinkCluster.Bound);
            await reader.ReadTrailerAsync().WaitAsync(SinkCluster.Bound);
            Assert.True(streamed.IsCommittedStream);
            Assert.Equal((committed.Version, committed.UpdatedAt, 2, committed.SizeBytes), (streamed.Version, streamed.UpdatedAt!.Value, streamed.ItemCount, streamed.SizeBytes));
            Assert.Equal(["tile-0", "tile-1"], receiver.Items.Select(i => i.Name));
            Assert.Equal(Tile(1), receiver.Items.Last().Value);
            Assert.Equal(1, receiver.Commits);
        }

        Assert.Equal((1L, 1L, 1L, 0L), (cluster.SatA.Counters.Peer.StreamedFetches, cluster.SatA.Counters.Peer.Streamed, cluster.SatA.Counters.Peer.Served, cluster.SatA.Counters.Peer.StreamsAborted));
        Assert.Equal(0, Watcher(cluster.SatA).Count);
    }

    [Fact]
    public async Task A_caller_that_does_not_accept_version_2_is_answered_only_at_the_commit_as_before()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await using var writer = cluster.SatA.Store.BeginWrite(Output);
        await writer.AppendAsync("tile-0", Tile(0));
        using var request = Fetch("?wait=10000", streaming: false, Output.ToString());

        var sent = cluster.SatA.PeerClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Poll.UntilAsync(() => Watcher(cluster.SatA).Count == 1, "the fetch waits for the write");
        await writer.AppendAsync("tile-1", Tile(1));
        Assert.False(sent.IsCompleted);
        await writer.CommitAsync();

        using var response = await sent.WaitAsync(SinkCluster.Bound);
        Assert.Equal(BundleWireFormat.MediaType, response.Content.Headers.ContentType!.ToString());
        var (reader, body) = await OpenAsync(response);
        await using (body)
        {
            var entries = await reader.ReadAllAsync();
            Assert.Equal(BundleWireFormat.FormatVersion, reader.FormatVersion);
            var found = Assert.Single(entries);
            Assert.Equal(BundleWireStatus.Found, found.Status);
            Assert.Equal(Tile(1), found.Bundle!.Items["tile-1"].ToArray());
        }
    }

    [Fact]
    public async Task A_bundle_written_already_is_answered_in_version_1_even_to_a_caller_that_accepts_version_2()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(Output, SinkCluster.Items("done"));
        using var request = Fetch("?wait=300", streaming: true, Output.ToString(), "sat-1/wf/never");

        using var response = await cluster.SatA.PeerClient.SendAsync(request).WaitAsync(SinkCluster.Bound);

        Assert.Equal(BundleWireFormat.MediaType, response.Content.Headers.ContentType!.ToString());
        var entries = await BundleWireFormat.ReadAsync(await response.Content.ReadAsStreamAsync(), Limits);
        Assert.Equal([BundleWireStatus.Found, BundleWireStatus.NotFound], entries.Select(e => e.Status));
    }

    [Fact]
    public async Task An_abandoned_write_ends_its_stream_with_an_abort_that_says_so_and_the_answer_stays_well_formed()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var writer = cluster.SatA.Store.BeginWrite(Output);
        await writer.AppendAsync("tile-0", Tile(0));
        using var request = Fetch("?wait=10000", streaming: true, Output.ToString());

        using var response = await cluster.SatA.PeerClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(SinkCluster.Bound);
        var (reader, body) = await OpenAsync(response);
        await using (body)
        {
            var receiver = new RecordingReceiver();
            var all = reader.ReadAllAsync(receiver);
            await Poll.UntilAsync(() => receiver.Items.Count == 1, "the first item arrived");
            await writer.DisposeAsync();

            var aborted = Assert.Single(await all.WaitAsync(SinkCluster.Bound));
            Assert.Equal(BundleWireStatus.Streamed, aborted.Status);
            Assert.Contains("abandoned", aborted.AbortReason, StringComparison.Ordinal);
            Assert.Equal(0, receiver.Commits);
            Assert.True(receiver.Disposed);
        }

        Assert.Equal(1, cluster.SatA.Counters.Peer.StreamsAborted);
    }

    [Fact]
    public async Task A_write_not_committed_within_the_wait_ends_with_an_abort_at_the_end_of_the_wait()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await using var writer = cluster.SatA.Store.BeginWrite(Output);
        await writer.AppendAsync("tile-0", Tile(0));
        using var request = Fetch("?wait=400", streaming: true, Output.ToString());

        using var response = await cluster.SatA.PeerClient.SendAsync(request).WaitAsync(SinkCluster.Bound);

        var aborted = Assert.Single(await BundleWireFormat.ReadAsync(await response.Content.ReadAsStreamAsync(), Limits));
        Assert.Contains("not committed on node 'sat-1' within the wait (1 items", aborted.AbortReason, StringComparison.Ordinal);
        Assert.Equal(0, Watcher(cluster.SatA).Count);
    }

    /// <summary>Records the items of one streamed entry as they arrive.</summary>
    internal sealed class RecordingReceiver : IStreamedBundleReceiver, IStreamedBundleTarget
    {
        private readonly ConcurrentQueue<(string Name, byte[] Value)> _items = new();
        private int _commits;
        private volatile bool _disposed;

        public IReadOnlyList<(string Name, byte[] Value)> Items => [.. _items];

        public int Commits => Volatile.Read(ref _commits);

        public bool Disposed => _disposed;

        public ValueTask<IStreamedBundleTarget> BeginAsync(int index, StateRef stateRef, CancellationToken cancellationToken) => ValueTask.FromResult<IStreamedBundleTarget>(this);

        public ValueTask AppendAsync(string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
        {
            _items.Enqueue((name, value.ToArray()));
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync(long version, DateTimeOffset updatedAt, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _commits);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
