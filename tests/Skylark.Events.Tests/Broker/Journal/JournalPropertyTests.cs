using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Broker.Journal;

namespace Skylark.Events.Tests.Broker.Journal;

/// <summary>
/// Recovery against many random crashes and bit flips of one real journal (three segments of events of varied sizes):
/// each case works on a fresh copy of it.
/// </summary>
public sealed class JournalPropertyTests : IAsyncLifetime
{
    private const int Events = 36;
    private const long SegmentBytes = 4096;

    private readonly JournalFolder pristine = new();
    private List<RecordAt> records = [];

    public async Task InitializeAsync()
    {
        await JournalFiles.AppendAsync(pristine, Events, dataBytes: 150, segmentBytes: SegmentBytes);
        var sequences = JournalReader.ReadEvents(pristine.Path).Select(e => e.Sequence).ToList();
        records = [.. pristine.Segments.SelectMany((segment, s) => JournalFiles.Records(segment).Select(r => (segment, s, r)))
            .Select((x, i) => new RecordAt(x.s, x.r.Offset, x.r.Offset + x.r.Bytes, sequences[i], $"e{i}"))];
        Assert.Equal(Events, records.Count);
        Assert.True(pristine.Segments.Count >= 3);
    }

    public Task DisposeAsync()
    {
        pristine.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Cutting_the_last_segment_anywhere_keeps_every_record_before_the_cut_and_yields_no_corrupt_one()
    {
        var last = pristine.Segments.Count - 1;
        var length = new FileInfo(pristine.Segments[last]).Length;

        Gen.Long[0, length].Sample(
            cut =>
            {
                using var copy = Copy.Of(pristine.Path);
                using (var file = new FileStream(copy.Segments[last], FileMode.Open, FileAccess.Write))
                {
                    file.SetLength(cut);
                }

                var scan = JournalScan.Run(copy.Path, repair: false, NullLogger.Instance);

                var kept = records.Where(r => r.Segment < last || r.End <= cut).ToList();
                AssertRecovered(copy.Path, kept);
                var reachedTheDisk = records.Where(r => r.Segment < last || r.Start < cut).Max(r => r.Sequence);
                Assert.True(scan.NextSequence > reachedTheDisk, $"next sequence {scan.NextSequence} reuses {reachedTheDisk}");
            },
            iter: 80,
            threads: 1);
    }

    [Fact]
    public void A_flipped_byte_anywhere_is_detected_and_repair_loses_only_the_record_that_held_it()
    {
        var lengths = pristine.Segments.Select(s => new FileInfo(s).Length).ToList();
        var gen = Gen.Int[0, lengths.Count - 1].SelectMany(segment => Gen.Select(Gen.Const(segment), Gen.Long[0, lengths[segment] - 1], Gen.Byte[1, 255]));

        gen.Sample(
            (segment, offset, mask) =>
            {
                using var copy = Copy.Of(pristine.Path);
                using var repaired = Copy.Of(pristine.Path);
                JournalFiles.FlipByte(copy.Segments[segment], offset, mask);
                JournalFiles.FlipByte(repaired.Segments[segment], offset, mask);
                var damaged = records.Where(r => r.Segment == segment && r.Start <= offset && offset < r.End).ToList();
                var tornTail = segment == lengths.Count - 1 && damaged.Count == 1 && damaged[0].End == lengths[segment];

                var verify = JournalReader.Verify(copy.Path);
                var refused = Record.Exception(() => JournalScan.Run(copy.Path, repair: false, NullLogger.Instance));

                // Detected: a torn tail (cut off at startup) or damage the broker refuses; never silently accepted.
                Assert.Equal(tornTail, refused is null);
                Assert.Equal(!tornTail, verify.Any(c => c.MidFileDamage));
                Assert.Equal(tornTail, verify[^1].Damage.Any(d => d.Kind == JournalDamageKind.TornTail));
                Assert.True(refused is null or JournalDamagedException, refused?.ToString());

                var scan = JournalScan.Run(repaired.Path, repair: true, NullLogger.Instance);

                AssertRecovered(repaired.Path, [.. records.Except(damaged)]);
                Assert.True(scan.NextSequence > records.Max(r => r.Sequence), $"next sequence {scan.NextSequence}");
            },
            iter: 120,
            threads: 1);
    }

    /// <summary>Exactly these records come back, each intact, and the journal now reads without damage but for nothing.</summary>
    private static void AssertRecovered(string directory, List<RecordAt> expected)
    {
        var read = JournalReader.ReadEvents(directory).Select(e => (e.Sequence, e.ToCloudEvent().Id)).ToList();
        Assert.Equal(expected.Select(r => (r.Sequence, (string?)r.Id)), read);
        Assert.All(JournalReader.Verify(directory), check => Assert.True(check.Intact, string.Join("; ", check.Damage)));
    }

    private sealed record RecordAt(int Segment, long Start, long End, long Sequence, string Id);

    /// <summary>A throwaway copy of a journal folder.</summary>
    private sealed class Copy : IDisposable
    {
        private Copy(string path) => Path = path;

        public string Path { get; }

        public IReadOnlyList<string> Segments => JournalFormat.Segments(Path);

        public static Copy Of(string source)
        {
            var copy = new Copy(Directory.CreateTempSubdirectory("skylark-journal-case-").FullName);
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, System.IO.Path.Combine(copy.Path, System.IO.Path.GetFileName(file)));
            }

            return copy;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
