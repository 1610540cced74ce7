using CloudNative.CloudEvents;
using Skylark.Events.Broker.Journal;

namespace Skylark.Events.Lab.Replay;

/// <summary>A recording to replay: a broker's journal folder or a JSON Lines file.</summary>
public static class RecordedEvents
{
    /// <summary>The recorded events in order (read lazily, so a large recording is never all in memory).</summary>
    /// <exception cref="FileNotFoundException">Neither a journal folder nor a file.</exception>
    public static IEnumerable<CloudEvent> Read(string path, Action<JournalDamage>? onDamage = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            return JournalReader.IsJournal(path)
                ? JournalReader.ReadEvents(path, onDamage).Select(e => e.ToCloudEvent())
                : throw new FileNotFoundException($"{path} is a folder without journal segments (*{JournalFormat.SegmentExtension}).", path);
        }

        return JsonLinesEvents.Read(path);
    }
}
