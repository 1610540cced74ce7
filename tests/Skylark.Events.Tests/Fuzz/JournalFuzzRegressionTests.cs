using System.Text;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Fuzz;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Fuzz;

/// <summary>
/// Inputs afl-fuzz found for the journal reader: records whose checksum matches but whose attributes are not a
/// CloudEvent (not JSON, not UTF-8, a JSON value that is not an event, an invalid attribute name or value, an unknown
/// specversion). Reading them must fail with the documented <see cref="FormatException"/>, never the CloudEvents
/// SDK's or System.Text.Json's own exceptions, which `skylark journal export` and replay did not expect.
/// </summary>
public sealed class JournalFuzzRegressionTests
{
    public static TheoryData<string> Crashes() =>
        [.. Directory.EnumerateFiles(RepositoryPaths.InRoot("fuzz", "corpus", "journal"), "crash-*").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Crashes))]
    public void A_former_crash_is_now_a_format_exception_or_a_clean_read(string input)
    {
        var harness = FuzzTargets.Find("journal")!;

        var thrown = Record.Exception(() => harness.Execute(File.ReadAllBytes(RepositoryPaths.InRoot("fuzz", "corpus", "journal", input))));

        Assert.True(thrown is null or FormatException, $"{input} threw {thrown}");
    }

    [Theory]
    [InlineData("")] // no JSON at all
    [InlineData("{\"specversion\":")] // cut short
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"x\":\"\u00ff\"}")] // not UTF-8 (see Latin1OrUtf8)
    [InlineData("[1,2]")] // JSON, not an event
    [InlineData("{\"specversion\":\"1.1\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\"}")] // no type
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"sXurce\":\"a\"}")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"datacontenttype\":\"not a type\"}")]
    public void An_event_whose_recorded_attributes_are_not_a_cloud_event_reads_as_a_format_exception_naming_its_sequence(string attributes)
    {
        using var folder = new ScratchDirectory();
        WriteSegment(folder.Path, EventRecordBody(sequence: 7, Latin1OrUtf8(attributes)));

        var recorded = Assert.Single(JournalReader.ReadEvents(folder.Path));

        var error = Assert.Throws<FormatException>(recorded.ToCloudEvent);
        Assert.Contains("Journal event 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_record_still_reads_as_its_event()
    {
        using var folder = new ScratchDirectory();
        WriteSegment(folder.Path, EventRecordBody(sequence: 1, "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"}"u8.ToArray()));

        var cloudEvent = Assert.Single(JournalReader.ReadEvents(folder.Path)).ToCloudEvent();

        Assert.Equal("a", cloudEvent.Id);
    }

    // A 'ÿ' in the attributes stands for the byte 0xFF, which no UTF-8 encoder would write.
    private static byte[] Latin1OrUtf8(string text) =>
        text.Contains('\u00ff', StringComparison.Ordinal) ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text);

    /// <summary>An event record as docs/journal.md lays it out: type, sequence, time, TTL, broker, triggers, attributes, data.</summary>
    private static byte[] EventRecordBody(long sequence, byte[] attributes)
    {
        using var body = new MemoryStream();
        using var writer = new BinaryWriter(body);
        writer.Write((byte)JournalRecordType.Event);
        writer.Write(sequence);
        writer.Write(1_700_000_000_000L);
        writer.Write(255);
        writer.Write((ushort)1);
        writer.Write((byte)'b');
        writer.Write((ushort)0);
        writer.Write((uint)attributes.Length);
        writer.Write(attributes);
        writer.Flush();
        return body.ToArray();
    }

    private static void WriteSegment(string folder, byte[] body)
    {
        var segment = new byte[JournalFormat.HeaderBytes + JournalFormat.RecordHeaderBytes + body.Length];
        JournalFormat.WriteSegmentHeader(segment);
        JournalFormat.WriteRecordHeader(segment.AsSpan(JournalFormat.HeaderBytes), body);
        body.CopyTo(segment.AsSpan(JournalFormat.HeaderBytes + JournalFormat.RecordHeaderBytes));
        File.WriteAllBytes(Path.Combine(folder, JournalFormat.SegmentFileName(1)), segment);
    }
}
