using Microsoft.Win32.SafeHandles;
using Skylark.Events.Hosting;

namespace Skylark.Events.Broker.Journal;

internal sealed partial class EventJournal
{
    private const int ExtendBytes = 2 * 1024 * 1024;

    private readonly List<SegmentState> segments = [];
    private SafeFileHandle? active;

    // File length of the active segment: records end at activeSegment.Length, zeros follow up to here.
    private long allocated;
    private SegmentState? activeSegment;

    private bool WouldOverflow(long pendingBytes) =>
        activeSegment!.Length > JournalFormat.HeaderBytes && activeSegment.Length + pendingBytes > settings!.SegmentBytes;

    private void Roll()
    {
        Seal();
        OpenSegment(nextSequence);
    }

    /// <summary>Writes zeros up to past <paramref name="needed"/> and makes the new size durable (the one full fsync per extension).</summary>
    private void Extend(long needed)
    {
        var target = needed + ExtendBytes;
        for (var at = allocated; at < target; at += Zeros.Length)
        {
            RandomAccess.Write(active!, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, target - at)), at);
        }

        DiskFlush.All(active!);
        allocated = target;
    }

    /// <summary>Closes the active segment cut to its records, so only the newest segment ever has zeros after them.</summary>
    private void Seal()
    {
        if (active is null)
        {
            return;
        }

        RandomAccess.SetLength(active, activeSegment!.Length);
        DiskFlush.All(active);
        active.Dispose();
        active = null;
    }

    /// <summary>Opens the segment named after <paramref name="firstSequence"/>, continuing it if it is the newest one (a restart).</summary>
    private void OpenSegment(long firstSequence)
    {
        var directory = settings!.Directory;
        var path = Path.Combine(directory, JournalFormat.SegmentFileName(firstSequence));
        var handle = OwnerOnlyFiles.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var existing = segments.Count > 0 && segments[^1].Path == path ? segments[^1] : null;
        if (existing is null)
        {
            RandomAccess.SetLength(handle, 0);
            Span<byte> header = stackalloc byte[JournalFormat.HeaderBytes];
            JournalFormat.WriteSegmentHeader(header);
            RandomAccess.Write(handle, header, 0);
            DiskFlush.All(handle);
            DiskFlush.Directory(directory);
            existing = new SegmentState(path, firstSequence, JournalFormat.HeaderBytes, timeProvider.GetUtcNow());
            segments.Add(existing);
        }

        active = handle;
        activeSegment = existing;
        allocated = RandomAccess.GetLength(handle);
    }

    /// <summary>
    /// Deletes whole segments from the oldest on: while the journal keeps more than the retained history (by size or
    /// age) and the segment owes no delivery, or regardless while it is over its hard limit. Only the oldest go, so an
    /// ack is never lost while the event it acknowledges is kept.
    /// </summary>
    private void ApplyRetention()
    {
        var options = settings!;
        var now = timeProvider.GetUtcNow();
        var total = segments.Sum(s => s.Length);
        var deleted = false;
        while (segments.Count > 1 && segments[0] != activeSegment)
        {
            var oldest = segments[0];
            var overHardLimit = options.MaxBytes is { } max && total > max;
            var expired = total > options.RetainBytes || now - oldest.Newest > options.RetainAge;
            if (!overHardLimit && !(expired && oldest.Outstanding <= 0))
            {
                break;
            }

            try
            {
                File.Delete(oldest.Path);
            }
            catch (IOException e)
            {
                LogDeleteFailed(e, oldest.Path);
                break;
            }

            if (oldest.Outstanding > 0)
            {
                Interlocked.Add(ref forcedDrops, oldest.Outstanding);
                LogForcedDrop(oldest.Path, oldest.Outstanding, total, options.MaxBytes ?? 0);
            }
            else
            {
                LogRetired(oldest.Path, oldest.Length);
            }

            total -= oldest.Length;
            segments.RemoveAt(0);
            deleted = true;
        }

        if (deleted)
        {
            DiskFlush.Directory(options.Directory);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete journal segment {Segment}")]
    private partial void LogDeleteFailed(Exception exception, string segment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retired journal segment {Segment} ({Bytes} byte(s)): every delivery in it finished and it is past retention")]
    private partial void LogRetired(string segment, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal segment {Segment} deleted with {Deliveries} delivery(ies) unfinished: the journal ({Bytes} byte(s)) is over its hard limit of {MaxBytes}; those deliveries will not be recovered after a restart")]
    private partial void LogForcedDrop(string segment, long deliveries, long bytes, long maxBytes);
}
