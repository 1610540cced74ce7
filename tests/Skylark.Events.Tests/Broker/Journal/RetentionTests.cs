using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

public sealed class RetentionTests : IDisposable
{
    private readonly JournalFolder folder = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Segments_past_the_age_limit_are_deleted_once_all_their_deliveries_finished()
    {
        var (journal, _) = folder.Open(Small(o => o.RetainAge = TimeSpan.FromHours(1)), clock);
        await using var _ = journal;
        var sequences = await AppendAsync(journal, 30);
        var segments = folder.Segments.Count;
        Assert.True(segments >= 3);

        clock.Advance(TimeSpan.FromHours(2));
        await journal.ApplyRetentionAsync();
        Assert.Equal(segments, folder.Segments.Count);

        sequences.ForEach(s => journal.Acknowledge("test/t", s));
        await journal.ApplyRetentionAsync();

        // Only the active segment is left: every older one is fully delivered and older than an hour.
        Assert.Single(folder.Segments);
        Assert.Contains(folder.Logs.Entries, e => e.Message.StartsWith("Retired journal segment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Segments_younger_than_the_age_limit_and_within_the_size_limit_are_kept_for_replay()
    {
        var (journal, _) = folder.Open(Small(o => o.RetainAge = TimeSpan.FromHours(1)), clock);
        await using var _ = journal;
        var sequences = await AppendAsync(journal, 30);
        sequences.ForEach(s => journal.Acknowledge("test/t", s));
        var segments = folder.Segments.Count;

        clock.Advance(TimeSpan.FromMinutes(30));
        await journal.ApplyRetentionAsync();

        Assert.Equal(segments, folder.Segments.Count);
        Assert.Equal(30, JournalReader.ReadEvents(folder.Path).Count());
    }

    [Fact]
    public async Task Over_the_size_limit_the_oldest_delivered_segments_go_first_and_an_undelivered_one_stops_the_deletion()
    {
        var (journal, _) = folder.Open(Small(o => o.RetainBytes = 0), clock);
        await using var _ = journal;
        var sequences = await AppendAsync(journal, 30);
        var segmentsBefore = folder.Segments.Count;

        // Everything delivered except one event in the second segment.
        var held = JournalReader.ReadEvents(folder.Path).First(e => e.Sequence >= FirstSequence(folder.Segments[1])).Sequence;
        sequences.Where(s => s != held).ToList().ForEach(s => journal.Acknowledge("test/t", s));
        await journal.ApplyRetentionAsync();

        Assert.Equal(segmentsBefore - 1, folder.Segments.Count);
        Assert.Equal(held, JournalReader.ReadEvents(folder.Path).First().Sequence);

        journal.Acknowledge("test/t", held);
        await journal.ApplyRetentionAsync();
        Assert.Single(folder.Segments);
    }

    [Fact]
    public async Task Over_the_hard_limit_undelivered_segments_are_deleted_and_the_lost_deliveries_counted()
    {
        var (journal, _) = folder.Open(Small(o => o.MaxBytes = 8192), clock);
        await using var _ = journal;
        await AppendAsync(journal, 40);

        await journal.ApplyRetentionAsync();

        Assert.InRange(folder.Segments.Count, 1, 3);
        Assert.True(journal.ForcedDrops > 0);
        Assert.Equal(40 - journal.ForcedDrops, JournalReader.ReadEvents(folder.Path).Count());
        Assert.Contains(folder.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("hard limit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_retention_timer_runs_retention_on_the_injected_clock()
    {
        var (journal, _) = folder.Open(Small(o => (o.RetainAge, o.RetentionInterval) = (TimeSpan.FromHours(1), TimeSpan.FromMinutes(5))), clock);
        await using var _ = journal;
        var sequences = await AppendAsync(journal, 30);
        sequences.ForEach(s => journal.Acknowledge("test/t", s));

        clock.Advance(TimeSpan.FromHours(2));

        // The timer's tick was queued when the clock moved; a flush completes only after it ran.
        await journal.FlushAsync();
        Assert.Single(folder.Segments);
    }

    private static Action<JournalOptions> Small(Action<JournalOptions> configure) => o =>
    {
        o.SegmentBytes = 4096;
        configure(o);
    };

    private static long FirstSequence(string segment) => long.Parse(Path.GetFileNameWithoutExtension(segment), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<long>> AppendAsync(EventJournal journal, int count)
    {
        var sequences = new List<long>();
        for (var i = 0; i < count; i++)
        {
            sequences.Add(await journal.AppendAsync("test/default", TestEvents.Create(id: $"e{i}", data: new string('x', 300)), 255, ["test/t"]));
        }

        return sequences;
    }
}
