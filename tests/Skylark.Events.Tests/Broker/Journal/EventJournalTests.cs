using System.Text;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

public sealed class EventJournalTests : IDisposable
{
    private readonly JournalFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Crc32C_matches_the_Castagnoli_check_value()
    {
        // The standard check value of CRC-32C over "123456789".
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public async Task Appends_get_increasing_sequences_and_every_delivery_without_an_ack_is_owed_after_reopening()
    {
        var (journal, scan) = folder.Open();
        Assert.Empty(scan.Pending);
        var first = await journal.AppendAsync("test/default", TestEvents.Create(id: "a"), 255, ["test/t1", "test/t2"]);
        var second = await journal.AppendAsync("test/default", TestEvents.Create(id: "b"), 254, ["test/t1"]);
        var third = await journal.AppendAsync("test/default", TestEvents.Create(id: "c"), 255, []);
        journal.Acknowledge("test/t1", first);
        await journal.DisposeAsync();

        var (reopened, rescan) = folder.Open();
        await using var _ = reopened;

        Assert.Equal([1L, 2L, 3L], [first, second, third]);
        Assert.Equal([(1L, "test/t2"), (2L, "test/t1")], rescan.Pending.SelectMany(p => p.Triggers.Select(t => (p.Sequence, t))));
        Assert.Equal(new JournalRecoveryReport(1, 3, 2, 2, 0, 0, 0), rescan.Report);
        Assert.Equal(4, await reopened.AppendAsync("test/default", TestEvents.Create(), 255, ["test/t1"]));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Segments_are_readable_by_the_brokers_user_only_and_so_is_the_folder_the_journal_creates()
    {
        var directory = Path.Combine(folder.Path, "journal");
        var (journal, _) = folder.Open(o => (o.Directory, o.SegmentBytes) = (directory, 4096));
        await using (journal)
        {
            for (var i = 0; i < 20; i++)
            {
                await journal.AppendAsync("test/default", TestEvents.Create(data: new string('x', 500)), 255, ["test/t"]);
            }
        }

        var segments = JournalFormat.Segments(directory);
        Assert.True(segments.Count > 1);
        Assert.All(segments, s => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(s)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
    }

    [Fact]
    public async Task A_recovered_event_has_its_attributes_and_the_exact_data_bytes()
    {
        var original = new CloudEvent
        {
            Id = "frame-7",
            Source = new Uri("/cameras/cam-1", UriKind.Relative),
            Type = "io.skylark.camera.frame",
            Subject = "cam-1",
            Time = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero),
            DataContentType = "application/json",

            // Whitespace a re-serialisation would lose: subscribers must get these bytes unchanged.
            Data = Encoding.UTF8.GetBytes("{ \"seq\" :  7,\n  \"camera\": \"cam-1\" }"),
        };
        original.SetAttributeFromString("workflowid", "wf-1");
        original.SetAttributeFromString("knativearrivaltime", "2026-03-04T05:06:08.0000000Z");
        var (journal, _) = folder.Open();
        var sequence = await journal.AppendAsync("test/default", original, 17, ["test/t"]);
        await journal.DisposeAsync();

        var (reopened, scan) = folder.Open();
        await using var _ = reopened;
        var recorded = EventJournal.Read(Assert.Single(scan.Pending));
        var recovered = recorded.ToCloudEvent();

        Assert.Equal((sequence, "test/default", 17), (recorded.Sequence, recorded.Broker, recorded.Ttl));
        Assert.Equal(["test/t"], recorded.Triggers);
        Assert.Equal(BinaryModeRequest.EncodeData(original).ToArray(), BinaryModeRequest.EncodeData(recovered).ToArray());
        Assert.Equal(Attributes(original), Attributes(recovered));
    }

    [Fact]
    public async Task Acks_written_before_a_clean_close_leave_nothing_owed_and_the_reader_still_sees_every_event()
    {
        var (journal, _) = folder.Open();
        var sequences = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            sequences.Add(await journal.AppendAsync("test/default", TestEvents.Create(id: $"e{i}"), 255, ["test/t"]));
        }

        sequences.ForEach(s => journal.Acknowledge("test/t", s));
        await journal.DisposeAsync();

        var (reopened, scan) = folder.Open();
        await using var _ = reopened;

        Assert.Empty(scan.Pending);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), JournalReader.ReadEvents(folder.Path).Select(e => e.ToCloudEvent().Id));
    }

    [Fact]
    public async Task Concurrent_appends_are_committed_in_groups_and_none_is_lost()
    {
        var (journal, _) = folder.Open();
        var appends = Enumerable.Range(0, 500)
            .Select(i => Task.Run(() => journal.AppendAsync("test/default", TestEvents.Create(id: $"e{i}"), 255, ["test/t"])))
            .ToList();
        var sequences = await Task.WhenAll(appends);
        await journal.DisposeAsync();

        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), sequences.Order());
        var recorded = JournalReader.ReadEvents(folder.Path).ToList();
        Assert.Equal(sequences.Order(), recorded.Select(e => e.Sequence));
        Assert.Equal(500, recorded.Select(e => e.ToCloudEvent().Id).Distinct().Count());
    }

    [Fact]
    public async Task Segments_roll_over_at_their_size_limit_and_recovery_reads_across_them()
    {
        var (journal, _) = folder.Open(o => o.SegmentBytes = 4096);
        for (var i = 0; i < 40; i++)
        {
            await journal.AppendAsync("test/default", TestEvents.Create(id: $"e{i}", data: new string('x', 400)), 255, ["test/t"]);
        }

        await journal.DisposeAsync();

        Assert.True(folder.Segments.Count >= 4, $"expected several segments, got {folder.Segments.Count}");
        Assert.All(folder.Segments.SkipLast(1), s => Assert.InRange(new FileInfo(s).Length, 1, 4096));
        var (reopened, scan) = folder.Open(o => o.SegmentBytes = 4096);
        await using var _ = reopened;
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), scan.Pending.Select(p => p.Sequence));
    }

    [Fact]
    public async Task Appending_after_the_journal_closed_fails_with_a_clear_exception()
    {
        var (journal, _) = folder.Open();
        await journal.DisposeAsync();

        var refused = await Assert.ThrowsAsync<JournalUnavailableException>(() => journal.AppendAsync("test/default", TestEvents.Create(), 255, []));
        Assert.Contains("closed", refused.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Attributes(CloudEvent cloudEvent) =>
        cloudEvent.GetPopulatedAttributes().ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value));
}
