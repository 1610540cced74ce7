using System.Buffers;
using System.Threading.Channels;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Skylark.Events.Hosting;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// The broker's append-only journal. One writer thread takes pending appends in batches (group commit): it writes
/// them to the active segment, fsyncs once, and only then completes every append of the batch, so the ingress answers
/// 202 for an event only once its record is on disk. Acks of finished deliveries ride along in the next batch without
/// an fsync of their own: losing some to a crash only means those deliveries happen again. The active segment is
/// extended with written zeros ahead of the records, so a commit overwrites space whose size is already durable and
/// needs only <c>fdatasync</c> (see <see cref="DiskFlush"/>); a zero record header marks where the records end.
/// Disabled (every call a no-op) when <see cref="BrokerOptions.Journal"/> is null.
/// </summary>
internal sealed partial class EventJournal : IAsyncDisposable, IDisposable
{
    private const int MaxBatchBytes = 4 * 1024 * 1024;
    private static readonly byte[] Zeros = new byte[64 * 1024];

    private readonly JournalOptions? settings;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<EventJournal> logger;

    // Unbounded on purpose: appends are bounded by the requests Kestrel admits and by the deliveries in flight (each
    // waits for its own append), and acks by the deliveries that finish; the writer drains both as fast as the disk allows.
    private readonly Channel<JournalWrite> writes = Channel.CreateUnbounded<JournalWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock lifecycle = new();
    private Thread? writer;
    private readonly TaskCompletionSource writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? retentionTimer;

    private long nextSequence = 1;
    private long appended;
    private long forcedDrops;
    private readonly TaskCompletionSource recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool disposed;

    public EventJournal(IOptions<BrokerOptions> options, TimeProvider timeProvider, ILogger<EventJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        settings = options.Value.Journal;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    public bool Enabled => settings is not null;

    /// <summary>True from startup until every delivery owed from before is queued again; producers wait (503) meanwhile.</summary>
    public bool Recovering => settings is not null && !recovered.Task.IsCompleted;

    /// <summary>Completes when <see cref="Recovering"/> turns false.</summary>
    public Task Recovered => recovered.Task;

    /// <summary>What the startup scan found; null until <see cref="Open"/>.</summary>
    public JournalRecoveryReport? Recovery { get; private set; }

    /// <summary>Events made durable since startup.</summary>
    public long Appended => Interlocked.Read(ref appended);

    /// <summary>Deliveries lost because <see cref="JournalOptions.MaxBytes"/> forced their segment out before they finished.</summary>
    public long ForcedDrops => Interlocked.Read(ref forcedDrops);

    /// <summary>
    /// Scans the journal (cutting off a torn tail, and quarantining other damage when <see cref="JournalOptions.Repair"/>
    /// is on), opens a segment to append to and starts the writer.
    /// </summary>
    /// <exception cref="JournalDamagedException">Damage that is not a torn tail, without repair: nothing was changed.</exception>
    public JournalScan Open()
    {
        var options = settings ?? throw new InvalidOperationException("The journal is disabled.");
        lock (lifecycle)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (writer is not null)
            {
                throw new InvalidOperationException("The journal is already open.");
            }

            // Segments hold event data: only the broker's user may read them.
            OwnerOnlyFiles.CreateFolder(options.Directory);
            var scan = JournalScan.Run(options.Directory, options.Repair, logger);
            segments.AddRange(scan.Segments);
            nextSequence = scan.NextSequence;
            Recovery = scan.Report;
            // Appending goes on in the newest segment (records after its intact ones are gone or zeros).
            OpenSegment(segments.Count > 0 ? segments[^1].FirstSequence : nextSequence);
            ApplyRetention();

            writer = new Thread(WriteLoop) { IsBackground = true, Name = "skylark-journal" };
            writer.Start();
            retentionTimer = timeProvider.CreateTimer(_ => writes.Writer.TryWrite(RetentionTick.Instance), null, options.RetentionInterval, options.RetentionInterval);
            LogOpened(options.Directory, scan.Report.Segments, scan.Report.Events, scan.Report.PendingDeliveries, scan.Report.TornTails, nextSequence);
            return scan;
        }
    }

    /// <summary>Producers are welcome again: every owed delivery is queued.</summary>
    public void CompleteRecovery() => recovered.TrySetResult();

    /// <summary>
    /// Appends an accepted event queued for <paramref name="triggers"/>; completes with its sequence once it is durable.
    /// Not cancellable: once handed to the writer the record will be written, and the caller must learn its sequence.
    /// </summary>
    /// <exception cref="JournalUnavailableException">The journal is closed or the write failed.</exception>
    public Task<long> AppendAsync(string broker, CloudEvent cloudEvent, int ttl, IReadOnlyList<string> triggers)
    {
        var write = new EventWrite(EventRecord.Encode(broker, cloudEvent, ttl, triggers), triggers.Count);
        return writes.Writer.TryWrite(write)
            ? write.Completion.Task
            : Task.FromException<long>(new JournalUnavailableException("The journal is closed."));
    }

    /// <summary>Records that the delivery of event <paramref name="sequence"/> to <paramref name="trigger"/> reached a final outcome.</summary>
    public void Acknowledge(string trigger, long sequence)
    {
        if (settings is not null && sequence > 0)
        {
            writes.Writer.TryWrite(new AckWrite(trigger, sequence));
        }
    }

    /// <summary>
    /// Runs retention now; completes once it ran, and so once everything handed to the writer before has been written.
    /// </summary>
    internal Task ApplyRetentionAsync()
    {
        var tick = new RetentionTick();
        return writes.Writer.TryWrite(tick) ? tick.Done!.Task : Task.FromException(new JournalUnavailableException("The journal is closed."));
    }

    /// <summary>Completes once everything handed to the writer before has been written (and any retention due has run).</summary>
    internal Task FlushAsync()
    {
        var barrier = new Barrier();
        return writes.Writer.TryWrite(barrier) ? barrier.Done.Task : Task.FromException(new JournalUnavailableException("The journal is closed."));
    }

    /// <summary>Reads back a recorded event (for recovery).</summary>
    public static JournalEvent Read(PendingEvent pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return EventRecord.Decode(JournalSegmentReader.ReadBodyAt(pending.SegmentPath, pending.Offset, pending.BodyLength));
    }

    /// <summary>Writes what is pending, fsyncs and closes. Appends after this fail.</summary>
    public async ValueTask DisposeAsync()
    {
        Thread? running;
        lock (lifecycle)
        {
            if (disposed)
            {
                running = null;
            }
            else
            {
                disposed = true;
                running = writer;
            }
        }

        writes.Writer.TryComplete();
        if (running is not null)
        {
            await writerDone.Task;
        }

        if (retentionTimer is not null)
        {
            await retentionTimer.DisposeAsync();
        }
    }

    /// <summary>For containers disposed synchronously; the wait is for the writer thread, never for the caller's context.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void WriteLoop()
    {
        var reader = writes.Reader;
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        var batch = new List<EventWrite>();
        var acks = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var flushWaiters = new List<TaskCompletionSource>();
        try
        {
            // A dedicated thread that blocks: group commit means waiting on fsync, which should not hold a pool thread.
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                var retention = false;
                var now = timeProvider.GetUtcNow();
                while (buffer.WrittenCount < MaxBatchBytes && reader.TryRead(out var write))
                {
                    switch (write)
                    {
                        case EventWrite append:
                            if (WouldOverflow(buffer.WrittenCount + JournalFormat.RecordHeaderBytes + append.Body.Length))
                            {
                                Commit(buffer, batch, durable: true);
                                Roll();
                                retention = true;
                            }

                            var sequence = nextSequence++;
                            EventRecord.Stamp(append.Body, sequence, now);
                            var record = buffer.GetSpan(JournalFormat.RecordHeaderBytes + append.Body.Length);
                            JournalFormat.WriteRecordHeader(record, append.Body);
                            append.Body.CopyTo(record[JournalFormat.RecordHeaderBytes..]);
                            buffer.Advance(JournalFormat.RecordHeaderBytes + append.Body.Length);
                            append.Sequence = sequence;
                            batch.Add(append);
                            activeSegment!.Outstanding += append.Triggers;
                            activeSegment.Newest = now;
                            break;
                        case AckWrite ack:
                            if (!acks.TryGetValue(ack.Trigger, out var sequences))
                            {
                                acks[ack.Trigger] = sequences = [];
                            }

                            sequences.Add(ack.Sequence);
                            break;
                        case RetentionTick tick:
                            retention = true;
                            if (tick.Done is { } done)
                            {
                                flushWaiters.Add(done);
                            }

                            break;
                        case Barrier barrier:
                            flushWaiters.Add(barrier.Done);
                            break;
                    }
                }

                foreach (var (trigger, sequences) in acks)
                {
                    if (sequences.Count == 0)
                    {
                        continue;
                    }

                    AckRecord.Write(buffer, trigger, sequences);
                    foreach (var sequence in sequences)
                    {
                        if (JournalScan.FindSegment(segments, sequence) is { } segment)
                        {
                            segment.Outstanding--;
                        }
                    }

                    sequences.Clear();
                }

                Commit(buffer, batch, durable: batch.Count > 0);
                if (retention)
                {
                    ApplyRetention();
                }

                flushWaiters.ForEach(t => t.TrySetResult());
                flushWaiters.Clear();
            }
        }
        catch (Exception e)
        {
            LogWriterFailed(e);
            var stopped = new JournalUnavailableException("The journal writer stopped.", e);
            flushWaiters.ForEach(t => t.TrySetException(stopped));
            while (reader.TryRead(out var left))
            {
                (left as EventWrite)?.Completion.TrySetException(stopped);
                (left as RetentionTick)?.Done?.TrySetException(stopped);
                (left as Barrier)?.Done.TrySetException(stopped);
            }
        }
        finally
        {
            try
            {
                Seal();
            }
            catch (IOException e)
            {
                LogWriterFailed(e);
            }

            writerDone.TrySetResult();
        }
    }

    /// <summary>Writes the batch to the active segment, fsyncs when it holds events, then tells their callers.</summary>
    private void Commit(ArrayBufferWriter<byte> buffer, List<EventWrite> batch, bool durable)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        var segment = activeSegment!;
        var before = segment.Length;
        try
        {
            if (before + buffer.WrittenCount > allocated)
            {
                Extend(before + buffer.WrittenCount);
            }

            RandomAccess.Write(active!, buffer.WrittenSpan, before);
            if (durable)
            {
                DiskFlush.Data(active!);
            }

            segment.Length += buffer.WrittenCount;
            Interlocked.Add(ref appended, batch.Count);
            foreach (var append in batch)
            {
                append.Completion.TrySetResult(append.Sequence);
            }
        }
        catch (IOException e)
        {
            LogWriteFailed(e, segment.Path, batch.Count);
            foreach (var append in batch)
            {
                segment.Outstanding -= append.Triggers;
                append.Completion.TrySetException(new JournalUnavailableException($"The journal could not write the event: {e.Message}", e));
            }

            TryErase(before, buffer.WrittenCount);
        }
        finally
        {
            buffer.Clear();
            batch.Clear();
        }
    }

    /// <summary>Zeros a failed batch so that no half-written record is read back after the records end.</summary>
    private void TryErase(long offset, int length)
    {
        try
        {
            var end = Math.Min(offset + length, allocated);
            for (var at = offset; at < end; at += Zeros.Length)
            {
                RandomAccess.Write(active!, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, end - at)), at);
            }

            DiskFlush.Data(active!);
        }
        catch (IOException e)
        {
            // A later scan stops at the damaged bytes, so what follows would be lost: stop taking events.
            LogWriterFailed(e);
            writes.Writer.TryComplete(e);
        }
    }

    private abstract class JournalWrite;

    private sealed class EventWrite(byte[] body, int triggers) : JournalWrite
    {
        public byte[] Body { get; } = body;

        public int Triggers { get; } = triggers;

        public long Sequence { get; set; }

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class AckWrite(string trigger, long sequence) : JournalWrite
    {
        public string Trigger { get; } = trigger;

        public long Sequence { get; } = sequence;
    }

    private sealed class Barrier : JournalWrite
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class RetentionTick : JournalWrite
    {
        /// <summary>The timer's tick, which nobody awaits.</summary>
        public static readonly RetentionTick Instance = new(awaited: false);

        public RetentionTick(bool awaited = true) =>
            Done = awaited ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;

        public TaskCompletionSource? Done { get; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal {Directory}: {Segments} segment(s), {Events} event(s), {Pending} delivery(ies) owed, {TornTails} torn tail(s) skipped; next sequence {NextSequence}")]
    private partial void LogOpened(string directory, int segments, long events, long pending, int tornTails, long nextSequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal write to {Segment} failed; {Events} event(s) refused")]
    private partial void LogWriteFailed(Exception exception, string segment, int events);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The journal writer failed; no more events can be accepted")]
    private partial void LogWriterFailed(Exception exception);
}
