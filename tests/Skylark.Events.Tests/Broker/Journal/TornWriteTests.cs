using Skylark.Events.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

public sealed class TornWriteTests : IDisposable
{
    private readonly JournalFolder folder = new();

    public enum Tear
    {
        CutInsideTheLastRecord,
        CutInsideTheLastRecordHeader,
        FlippedByteInTheLastRecord,
        GarbageAfterTheLastRecord,
    }

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(Tear.CutInsideTheLastRecord)]
    [InlineData(Tear.CutInsideTheLastRecordHeader)]
    [InlineData(Tear.FlippedByteInTheLastRecord)]
    [InlineData(Tear.GarbageAfterTheLastRecord)]
    public async Task A_torn_tail_is_detected_skipped_and_cut_off_and_the_journal_goes_on_after_it_without_reusing_the_torn_sequence(Tear tear)
    {
        await AppendAsync(5);
        var segment = Assert.Single(folder.Segments);
        var (lastRecord, intactLength) = LastRecord(segment);
        var expectedIntact = Damage(segment, tear, lastRecord, intactLength);
        var expectedEvents = tear is Tear.GarbageAfterTheLastRecord ? 5 : 4;
        var skipped = new FileInfo(segment).Length - expectedIntact;

        var (journal, scan) = folder.Open();
        var next = await journal.AppendAsync("test/default", TestEvents.Create(id: "after"), 255, ["test/t"]);
        await journal.DisposeAsync();

        Assert.Equal(new JournalRecoveryReport(1, expectedEvents, expectedEvents, expectedEvents, 1, skipped, 0), scan.Report);
        // The torn record had taken the next sequence (it may have reached the disk in part): the journal goes on after it.
        Assert.Equal(expectedEvents + 2, next);
        Assert.Equal([.. Enumerable.Range(0, expectedEvents).Select(i => $"e{i}"), "after"], JournalReader.ReadEvents(folder.Path).Select(e => e.ToCloudEvent().Id));
        Assert.Contains(folder.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("torn tail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Zeros_after_the_last_record_are_space_written_ahead_not_damage_and_appends_continue_over_them()
    {
        await AppendAsync(3);
        var segment = Assert.Single(folder.Segments);
        var dataEnd = new FileInfo(segment).Length;
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            await file.WriteAsync(new byte[64 * 1024]);
        }

        var (journal, scan) = folder.Open();
        await journal.AppendAsync("test/default", TestEvents.Create(id: "after"), 255, []);
        await journal.DisposeAsync();

        Assert.Equal((0, 0L, 3L), (scan.Report.TornTails, scan.Report.SkippedBytes, scan.Report.Events));
        Assert.Equal(["e0", "e1", "e2", "after"], JournalReader.ReadEvents(folder.Path).Select(e => e.ToCloudEvent().Id));
        Assert.True(new FileInfo(segment).Length > dataEnd, "the new record was written where the zeros began");
        Assert.True(new FileInfo(segment).Length < dataEnd + (64 * 1024), "a closed segment is cut to its records");
    }

    [Fact]
    public async Task An_open_segment_ends_in_zeros_written_ahead_and_a_reader_stops_cleanly_there()
    {
        var (journal, _) = folder.Open();
        await using var _ = journal;
        await journal.AppendAsync("test/default", TestEvents.Create(id: "one"), 255, []);
        var damage = new List<JournalDamage>();

        var ids = JournalReader.ReadEvents(folder.Path, damage.Add).Select(e => e.ToCloudEvent().Id).ToList();

        Assert.Equal(["one"], ids);
        Assert.Empty(damage);
        Assert.True(new FileInfo(Assert.Single(folder.Segments)).Length >= 1024 * 1024);
    }

    [Fact]
    public async Task The_reader_skips_a_torn_tail_without_changing_the_file()
    {
        await AppendAsync(3);
        var segment = Assert.Single(folder.Segments);
        var (lastRecord, _) = LastRecord(segment);
        Damage(segment, Tear.CutInsideTheLastRecord, lastRecord, 0);
        var length = new FileInfo(segment).Length;
        var damage = new List<JournalDamage>();

        var ids = JournalReader.ReadEvents(folder.Path, damage.Add).Select(e => e.ToCloudEvent().Id).ToList();

        Assert.Equal(["e0", "e1"], ids);
        Assert.Equal(lastRecord, Assert.Single(damage).Offset);
        Assert.Equal(length, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task A_segment_torn_inside_its_header_is_removed()
    {
        await AppendAsync(2);
        var stray = Path.Combine(folder.Path, JournalFormat.SegmentFileName(3));
        await File.WriteAllBytesAsync(stray, "SKY"u8.ToArray());

        var (journal, scan) = folder.Open();
        var next = await journal.AppendAsync("test/default", TestEvents.Create(id: "after"), 255, []);
        await journal.DisposeAsync();

        Assert.Equal((1, 2L, 3L), (scan.Report.TornTails, scan.Report.Events, next));
        Assert.Equal(["e0", "e1", "after"], JournalReader.ReadEvents(folder.Path).Select(e => e.ToCloudEvent().Id));
    }

    private async Task AppendAsync(int count, long? segmentBytes = null)
    {
        var (journal, _) = folder.Open(o => o.SegmentBytes = segmentBytes ?? o.SegmentBytes);
        for (var i = 0; i < count; i++)
        {
            await journal.AppendAsync("test/default", TestEvents.Create(id: $"e{i}", data: new string('x', 200)), 255, ["test/t"]);
        }

        await journal.DisposeAsync();
    }

    /// <summary>Where the segment's last record starts, and where the intact records end.</summary>
    private static (long Offset, long End) LastRecord(string segment)
    {
        using var reader = new JournalSegmentReader(segment);
        var last = 0L;
        var end = 0L;
        while (reader.TryReadNext(out var record))
        {
            last = record.Offset;
            end = record.Offset + record.StoredBytes;
        }

        return (last, end);
    }

    /// <summary>Damages the segment as a crash (or bit rot) would; returns the length the intact part has.</summary>
    private static long Damage(string segment, Tear tear, long lastRecord, long intactEnd)
    {
        using var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite);
        switch (tear)
        {
            case Tear.CutInsideTheLastRecord:
                file.SetLength(lastRecord + JournalFormat.RecordHeaderBytes + 10);
                return lastRecord;
            case Tear.CutInsideTheLastRecordHeader:
                file.SetLength(lastRecord + 3);
                return lastRecord;
            case Tear.FlippedByteInTheLastRecord:
                file.Seek(lastRecord + JournalFormat.RecordHeaderBytes + 20, SeekOrigin.Begin);
                var b = file.ReadByte();
                file.Seek(-1, SeekOrigin.Current);
                file.WriteByte((byte)(b ^ 0x40));
                return lastRecord;
            default:
                file.Seek(0, SeekOrigin.End);
                file.Write([0x37, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3]);
                return intactEnd;
        }
    }
}
