using Skylark.Events.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

/// <summary>Writes real journals and damages their files the way a crash or a failing disk would.</summary>
internal static class JournalFiles
{
    /// <summary>
    /// Appends <paramref name="count"/> events <c>e0</c>, <c>e1</c>… (each owed to <c>test/t</c>) one after another,
    /// each answered before the next is sent, and closes the journal.
    /// </summary>
    public static async Task AppendAsync(JournalFolder folder, int count, int dataBytes = 200, long? segmentBytes = null)
    {
        var (journal, _) = folder.Open(o => o.SegmentBytes = segmentBytes ?? o.SegmentBytes);
        await using (journal)
        {
            for (var i = 0; i < count; i++)
            {
                await journal.AppendAsync("test/default", TestEvents.Create(id: $"e{i}", data: new string((char)('a' + (i % 26)), dataBytes)), 255, ["test/t"]);
            }
        }
    }

    /// <summary>Every intact record of a segment: where it starts and how many bytes it takes.</summary>
    public static List<(long Offset, int Bytes)> Records(string segment)
    {
        using var reader = new JournalSegmentReader(segment);
        var records = new List<(long, int)>();
        while (reader.TryReadNext(out var record))
        {
            records.Add((record.Offset, record.StoredBytes));
        }

        return records;
    }

    /// <summary>Flips bits of one byte, as a failing disk or a stray write would.</summary>
    public static void FlipByte(string path, long offset, byte mask = 0x40)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ mask));
    }

    /// <summary>Every event id in the journal, oldest first, as a reader finds them.</summary>
    public static List<string> Ids(string directory) => [.. JournalReader.ReadEvents(directory).Select(e => e.ToCloudEvent().Id!)];
}
