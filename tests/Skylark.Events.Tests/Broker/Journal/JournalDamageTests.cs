using Skylark.Events.Broker.Journal;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

/// <summary>
/// Damage that is not a torn tail — bytes changed in the middle of a segment, or anywhere in a segment that was
/// complete — stops the start unless repair is asked for; repair quarantines only the damaged bytes and keeps every
/// intact record, and no sequence number is used twice.
/// </summary>
public sealed class JournalDamageTests : IAsyncLifetime
{
    private const int Accepted = 600;

    private readonly JournalFolder folder = new();
    private TestSubscriber subscriber = null!;

    public async Task InitializeAsync() => subscriber = await TestSubscriber.StartAsync();

    public async Task DisposeAsync()
    {
        await subscriber.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task A_byte_flipped_in_the_middle_of_a_segment_stops_the_broker_naming_segment_offset_and_the_intact_records_after_it()
    {
        var (segment, damaged, _) = await AcceptedThenFlippedInTheMiddleAsync();
        var before = await File.ReadAllBytesAsync(segment);

        var error = await Record.ExceptionAsync(() => StartBrokerAsync(repair: false));

        var refusal = Assert.IsType<ServiceCannotStartException>(Unwrap(error));
        var refused = Assert.IsType<JournalDamagedException>(refusal.InnerException);
        Assert.Equal(refused.Message, refusal.Message);
        Assert.Contains(segment, refused.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {damaged.Offset}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"{Accepted - damaged.Index - 1} intact record(s) after it", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--journal-repair", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(segment));
        Assert.Empty(Directory.GetFiles(folder.Path, "*quarantine*"));
    }

    [Fact]
    public async Task The_standalone_broker_refuses_a_damaged_journal_in_one_line_and_exits_1_instead_of_crashing()
    {
        var (segment, damaged, _) = await AcceptedThenFlippedInTheMiddleAsync();

        await using var broker = ServiceProcess.Start("Skylark.Events.Broker", new Dictionary<string, string>
        {
            ["SKYLARK_EVENTING"] = RepositoryPaths.InRoot("eventing"),
            ["SKYLARK_JOURNAL"] = folder.Path,
        });
        var code = await broker.ExitAsync();

        Assert.Equal(SkylarkService.CannotStartExitCode, code);
        var line = Assert.Single(broker.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"broker: Journal segment {segment} is damaged at offset {damaged.Offset}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", broker.StandardOutput + broker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_repair_every_intact_record_before_and_after_the_flipped_byte_is_delivered_and_the_damaged_bytes_are_quarantined()
    {
        var (segment, damaged, damagedBytes) = await AcceptedThenFlippedInTheMiddleAsync();

        await using var broker = await StartBrokerAsync(repair: true);
        await subscriber.WaitForAsync(Accepted - 1);
        await broker.WaitUntilIdleAsync();

        var expected = Enumerable.Range(0, Accepted).Where(i => i != damaged.Index).Select(i => $"e{i}").Order();
        Assert.Equal(expected, subscriber.Received.Select(r => r.CloudEvent.Id!).Order());
        var quarantine = Path.Combine(folder.Path, Path.GetFileName(segment) + $".quarantine-{damaged.Offset}");
        Assert.Equal(damagedBytes, await File.ReadAllBytesAsync(quarantine));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(quarantine));
        }

        var repair = Assert.Single(broker.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Journal repaired", StringComparison.Ordinal));
        Assert.Contains($"{Accepted - 1} intact record(s) kept, {Accepted - damaged.Index - 1} of them after the damage", repair.Message, StringComparison.Ordinal);
        var recovery = broker.Services.GetRequiredService<EventJournal>().Recovery!;
        Assert.Equal((1, 1, (long)damagedBytes.Length), (recovery.DamagedSegments, recovery.QuarantineFiles, recovery.QuarantinedBytes));
    }

    [Fact]
    public async Task After_a_repair_new_events_get_sequence_numbers_above_every_old_one()
    {
        await AcceptedThenFlippedInTheMiddleAsync();

        await using (var broker = await StartBrokerAsync(repair: true))
        {
            await broker.Services.GetRequiredService<EventJournal>().Recovered.WaitAsync(Poll.Bound);
            await broker.SendAsync(TestEvents.Create(id: "new"));
            await subscriber.WaitForAsync(Accepted);
            await broker.WaitUntilIdleAsync();
        }

        var events = JournalReader.ReadEvents(folder.Path).ToList();
        var added = Assert.Single(events, e => e.ToCloudEvent().Id == "new");
        Assert.True(added.Sequence > Accepted, $"the new event took sequence {added.Sequence}");
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task Repair_leaves_a_journal_that_opens_cleanly_the_next_time()
    {
        await AcceptedThenFlippedInTheMiddleAsync();
        var (repaired, _) = folder.Open(o => o.Repair = true);
        await repaired.DisposeAsync();

        var (again, scan) = folder.Open();
        await again.DisposeAsync();

        Assert.Equal((0, 0, 0L, (long)Accepted - 1), (scan.Report.TornTails, scan.Report.DamagedSegments, scan.Report.SkippedBytes, scan.Report.Events));
        Assert.All(JournalReader.Verify(folder.Path), check => Assert.True(check.Intact));
    }

    [Fact]
    public async Task Damage_inside_an_older_segment_stops_the_start_even_with_nothing_after_it_in_that_segment()
    {
        await JournalFiles.AppendAsync(folder, 30, segmentBytes: 4096);
        Assert.True(folder.Segments.Count >= 2);
        var oldest = folder.Segments[0];
        var last = JournalFiles.Records(oldest)[^1];
        JournalFiles.FlipByte(oldest, last.Offset + 20);

        var refused = Assert.Throws<JournalDamagedException>(() => folder.Open(o => o.SegmentBytes = 4096));

        var damage = Assert.Single(refused.Damage);
        Assert.Equal((oldest, last.Offset, 0L, JournalDamageKind.MidFile), (damage.Segment, damage.Offset, damage.IntactRecordsAfter, damage.Kind));
        Assert.Contains(folder.Logs.Entries, e => e.Level == LogLevel.Critical && e.Message.Contains(oldest, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_repair_damage_inside_an_older_segment_is_quarantined_and_every_other_event_is_recovered()
    {
        await JournalFiles.AppendAsync(folder, 30, segmentBytes: 4096);
        var oldest = folder.Segments[0];
        var records = JournalFiles.Records(oldest);
        JournalFiles.FlipByte(oldest, records[^1].Offset + 20);

        var (journal, scan) = folder.Open(o => (o.SegmentBytes, o.Repair) = (4096, true));
        var next = await journal.AppendAsync("test/default", TestEvents.Create(id: "after"), 255, []);
        await journal.DisposeAsync();

        Assert.Equal((0, 1, 29L, 29), (scan.Report.TornTails, scan.Report.DamagedSegments, scan.Report.Events, scan.Pending.Count));
        Assert.Equal(31, next);
        Assert.Equal([.. Enumerable.Range(0, 30).Where(i => i != records.Count - 1).Select(i => $"e{i}"), "after"], JournalFiles.Ids(folder.Path));
        Assert.True(File.Exists(JournalScan.QuarantinePath(oldest, records[^1].Offset)));
    }

    [Fact]
    public async Task Two_damaged_places_in_one_segment_are_each_quarantined_and_only_their_records_are_lost()
    {
        await JournalFiles.AppendAsync(folder, 40);
        var segment = Assert.Single(folder.Segments);
        var records = JournalFiles.Records(segment);
        JournalFiles.FlipByte(segment, records[5].Offset + 30);
        JournalFiles.FlipByte(segment, records[20].Offset + 2);

        var (journal, scan) = folder.Open(o => o.Repair = true);
        await journal.DisposeAsync();

        Assert.Equal((2, 38L), (scan.Report.QuarantineFiles, scan.Report.Events));
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i is not 5 and not 20).Select(i => $"e{i}"), JournalFiles.Ids(folder.Path));
    }

    [Fact]
    public async Task A_damaged_segment_header_with_intact_records_after_it_is_repaired_without_losing_an_event()
    {
        await JournalFiles.AppendAsync(folder, 10);
        var segment = Assert.Single(folder.Segments);
        JournalFiles.FlipByte(segment, 1);

        Assert.Throws<JournalDamagedException>(() => folder.Open());
        var (journal, scan) = folder.Open(o => o.Repair = true);
        await journal.DisposeAsync();

        Assert.Equal((1, 10L), (scan.Report.DamagedSegments, scan.Report.Events));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"e{i}"), JournalFiles.Ids(folder.Path));
    }

    /// <summary>
    /// The user's reproduction: <see cref="Accepted"/> events of about 3.5 kB accepted into one segment, then one byte
    /// flipped in its middle. Returns the segment, the damaged record (its index and offset) and the record's bytes as damaged.
    /// </summary>
    private async Task<(string Segment, (int Index, long Offset) Damaged, byte[] Bytes)> AcceptedThenFlippedInTheMiddleAsync()
    {
        await JournalFiles.AppendAsync(folder, Accepted, dataBytes: 3500);
        var segment = Assert.Single(folder.Segments);
        var records = JournalFiles.Records(segment);
        Assert.Equal(Accepted, records.Count);
        var middle = new FileInfo(segment).Length / 2;
        var index = records.FindLastIndex(r => r.Offset <= middle);
        JournalFiles.FlipByte(segment, middle);
        var bytes = new byte[records[index].Bytes];
        await using (var file = File.OpenRead(segment))
        {
            file.Position = records[index].Offset;
            await file.ReadExactlyAsync(bytes);
        }

        return (segment, (index, records[index].Offset), bytes);
    }

    private Task<BrokerHost> StartBrokerAsync(bool repair) =>
        BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url)), o => o.Journal = folder.Options(j => j.Repair = repair));

    private static Exception? Unwrap(Exception? error) =>
        error is AggregateException { InnerExceptions: [var single] } ? Unwrap(single) : error;
}
