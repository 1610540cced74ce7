using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using Skylark.Events.Hosting;

namespace Skylark.Events.DeadLetters;

/// <summary>
/// The dead letters of a deployment, in one append-only JSON Lines file (docs/dead-letters.md). One writer thread
/// takes the appends waiting at that moment, writes them and fsyncs once for all of them (group commit); each append
/// completes only after that fsync returned, so a sender is answered 2xx only for a record that survives a crash.
/// The file is read once when the log opens: records are counted, a torn last line is cut off, damage with records
/// after it stops the start. Memory is bounded: waiting appends by <see cref="AppendAdmission"/>, the index by one
/// offset per <see cref="CheckpointStride"/> records.
/// </summary>
public sealed partial class DeadLetterLog : IAsyncDisposable
{
    /// <summary>Every this many records the index keeps an offset, so a listing seeks close to where it starts.</summary>
    internal const int CheckpointStride = 64;

    private readonly DeadLetterOptions _options;
    private readonly DeadLetterMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<DeadLetterLog> _logger;
    private readonly AppendAdmission _admission;

    // Unbounded as a channel: AppendAdmission bounds what enters it, in records and bytes.
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lifecycle = new();

    // Guards what readers see: records and bytes on disk, and the index. Only the writer changes them.
    private readonly Lock _view = new();
    private readonly List<long> _checkpoints = [];
    private long _first = 1;
    private long _count;
    private long _length;

    private FileStream? _file;
    private FileStream? _lockFile;
    private SafeFileHandle? _handle;
    private Thread? _writer;
    private bool _opening;
    private bool _closed;
    private volatile string? _unavailable = "The dead-letter log is not open yet.";

    public DeadLetterLog(IOptions<DeadLetterOptions> options, DeadLetterMetrics metrics, TimeProvider timeProvider, ILogger<DeadLetterLog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _admission = new AppendAdmission(_options.MaxQueuedAppends, _options.MaxQueuedBytes);
        Path = System.IO.Path.GetFullPath(_options.LogPath);
    }

    /// <summary>Raised once a dead letter is on disk, before its sender is answered; a handler's exception is logged, not thrown.</summary>
    public event EventHandler<DeadLetterStoredEventArgs>? Stored;

    /// <summary>The file, as an absolute path.</summary>
    public string Path { get; }

    /// <summary>Beside the log, locked while a process has the log open: one writer per log.</summary>
    public string LockPath => Path + ".lock";

    /// <summary>Records on disk, those from before this process included.</summary>
    public long Count
    {
        get
        {
            lock (_view)
            {
                return _count;
            }
        }
    }

    /// <summary>The sequence the next record gets.</summary>
    public long NextSequence
    {
        get
        {
            lock (_view)
            {
                return _first + _count;
            }
        }
    }

    /// <summary>Null while the log takes dead letters; otherwise why not (not open yet, closed, a write failed).</summary>
    public string? UnavailableReason => _unavailable;

    /// <summary>True when no more appends may wait; a cheap look before reading a request.</summary>
    internal bool IsFull => _admission.IsFull;

    /// <summary>
    /// Opens the file (creating it with mode 0600), reads it and starts the writer. A group- or world-accessible
    /// existing file is restricted to its owner first.
    /// </summary>
    /// <exception cref="ServiceConfigurationException">The file cannot be opened (in use by another process, no permission) or is damaged.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_opening)
            {
                throw new InvalidOperationException($"The dead-letter log '{Path}' is already open.");
            }

            _opening = true;
        }

        var (file, lockFile) = OpenFile();
        DeadLetterLogScan scan;
        try
        {
            try
            {
                scan = await DeadLetterLogScan.RunAsync(file.SafeFileHandle, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException damage)
            {
                throw Problem(damage.Message);
            }

            if (scan.TornBytes > 0)
            {
                // Never acknowledged: the process ended before the fsync that would have covered these bytes returned.
                try
                {
                    RandomAccess.SetLength(file.SafeFileHandle, scan.Length);
                    RandomAccess.FlushToDisk(file.SafeFileHandle);
                }
                catch (IOException error)
                {
                    throw Problem($"ends with a torn line that could not be cut off at byte {scan.Length}: {error.Message}");
                }

                LogTornTail(Path, scan.TornBytes, scan.Length, scan.TornReason ?? "");
            }

            lock (_view)
            {
                _first = scan.FirstSequence;
                _count = scan.Count;
                _length = scan.Length;
                _checkpoints.AddRange(scan.Checkpoints);
            }

            lock (_lifecycle)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                _file = file;
                _lockFile = lockFile;
                _handle = file.SafeFileHandle;

                // A dedicated thread that blocks: group commit means waiting on fsync, which should not hold a pool thread.
                _writer = new Thread(WriteLoop) { IsBackground = true, Name = "skylark-dead-letters" };
                _writer.Start();
                _unavailable = null;
            }
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _metrics.ObserveStored(() => Count);
        LogOpened(Path, scan.Count, scan.FirstSequence + scan.Count);
    }

    /// <summary>
    /// Stores <paramref name="cloudEvent"/> as a dead letter; completes once its record is on disk. Cancelling stops
    /// the wait, not the write: a record handed to the writer is written.
    /// </summary>
    /// <exception cref="DeadLetterLogBusyException">As many appends wait as the log admits.</exception>
    /// <exception cref="DeadLetterLogUnavailableException">The log is not open, closed, or the write failed.</exception>
    public async Task<DeadLetter> AppendAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (_unavailable is { } reason)
        {
            throw new DeadLetterLogUnavailableException(reason);
        }

        var receivedAt = _time.GetUtcNow();
        var error = DeadLetterError.From(cloudEvent);
        var pending = new PendingAppend(DeadLetterRecord.EncodeBody(cloudEvent, error, receivedAt));
        if (!_admission.TryEnter(pending.Body.Length))
        {
            throw new DeadLetterLogBusyException(
                $"{_admission.MaxRecords} dead letters (or {_admission.MaxBytes} bytes of them) are waiting for the disk; try again shortly.");
        }

        if (!_appends.Writer.TryWrite(pending))
        {
            _admission.Exit(pending.Body.Length);
            throw new DeadLetterLogUnavailableException(_unavailable ?? "The dead-letter log is closed.");
        }

        // Not tied to the caller: once durable, the record is counted and announced even if its sender gave up.
        var stored = StoredAsync(pending, receivedAt, error, cloudEvent);
        return await stored.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where a listing of the records after sequence <paramref name="after"/> starts, as the log is now.</summary>
    /// <exception cref="DeadLetterLogUnavailableException">The log is not open.</exception>
    internal LogCursor ReadAfter(long after)
    {
        lock (_view)
        {
            var handle = _handle ?? throw new DeadLetterLogUnavailableException(_unavailable ?? "The dead-letter log is not open.");
            var last = _first + _count - 1;
            if (after >= last)
            {
                return new LogCursor(handle, _count, last + 1, 0, 0, 0, 0);
            }

            var index = Math.Max(0, after + 1 - _first);
            return new LogCursor(handle, _count, _first + index, _count - index, _checkpoints[(int)(index / CheckpointStride)], (int)(index % CheckpointStride), _length);
        }
    }

    /// <summary>Writes what waits, closes the file. Appends after this fail.</summary>
    public async ValueTask DisposeAsync()
    {
        Thread? writer;
        FileStream? file;
        FileStream? lockFile;
        lock (_lifecycle)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            writer = _writer;
            file = _file;
            lockFile = _lockFile;
            _unavailable ??= "The dead-letter log is closed.";
        }

        _appends.Writer.TryComplete();
        if (writer is not null)
        {
            await _writerDone.Task.ConfigureAwait(false);
        }

        if (file is not null)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            LogClosed(Path, Count);
        }

        if (lockFile is not null)
        {
            await lockFile.DisposeAsync().ConfigureAwait(false);
        }
    }

    private (FileStream File, FileStream Lock) OpenFile()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        try
        {
            OwnerOnlyFiles.CreateFolder(folder);

            // A second writer would interleave records and repeat sequences. The exclusive lock is on a file of its
            // own, so that readers of the log (which take a shared lock when they are .NET programs) are not refused.
            var lockFile = Create(LockPath, FileShare.None);
            var created = !File.Exists(Path);
            FileStream file;
            try
            {
                file = Create(Path, FileShare.Read);
            }
            catch
            {
                lockFile.Dispose();
                throw;
            }

            try
            {
                if (OwnerOnlyFiles.Narrow(file.SafeFileHandle) is { } mode)
                {
                    LogRestricted(Path, Convert.ToString((int)mode, 8));
                }

                if (created)
                {
                    RandomAccess.FlushToDisk(file.SafeFileHandle);
                    DiskFlush.Directory(folder);
                }

                return (file, lockFile);
            }
            catch
            {
                file.Dispose();
                lockFile.Dispose();
                throw;
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Problem($"cannot be opened for appending: {error.Message}");
        }
    }

    // Narrowing an existing file's mode is OpenFile's, which logs it.
    private static FileStream Create(string path, FileShare share) =>
        OwnerOnlyFiles.OpenWithoutNarrowing(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share, bufferSize: 0);

    private ServiceConfigurationException Problem(string problem) =>
        new(DeadLetterSettings.LogSetting, $"names '{Path}', which {problem.TrimEnd('.')}");

    private async Task<DeadLetter> StoredAsync(PendingAppend pending, DateTimeOffset receivedAt, DeadLetterError error, CloudEvent cloudEvent)
    {
        var sequence = await pending.Completion.Task.ConfigureAwait(false);
        var deadLetter = new DeadLetter(sequence, receivedAt, error, cloudEvent);
        _metrics.RecordReceived(error.Code);
        LogStored(sequence, cloudEvent.Id, cloudEvent.Type, error.Destination, error.Code, error.Data);
        try
        {
            Stored?.Invoke(this, new DeadLetterStoredEventArgs(deadLetter));
        }
        catch (Exception failure)
        {
            // An observer's bug must not turn a stored dead letter into a failed delivery (the broker would send it again).
            LogObserverFailed(failure, sequence);
        }

        return deadLetter;
    }

    private void WriteLoop()
    {
        var reader = _appends.Reader;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var batch = new List<(PendingAppend Append, long Offset)>();
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (batch.Count < _options.MaxBatchRecords && buffer.WrittenCount < _options.MaxBatchBytes && reader.TryRead(out var append))
                {
                    _admission.Exit(append.Body.Length);
                    var offset = _length + buffer.WrittenCount;
                    DeadLetterRecord.WriteLine(buffer, _first + _count + batch.Count, append.Body);
                    batch.Add((append, offset));
                }

                Commit(buffer, batch);
            }
        }
        catch (Exception failure)
        {
            // The file's end is no longer known to be whole records: take nothing more until a restart reads it again.
            var reason = $"The dead-letter log stopped taking dead letters: writing '{Path}' failed ({failure.Message}).";
            _unavailable = reason;
            LogWriterFailed(failure, Path);
            _appends.Writer.TryComplete();
            var stopped = new DeadLetterLogUnavailableException(reason, failure);
            foreach (var (append, _) in batch)
            {
                append.Completion.TrySetException(stopped);
            }

            while (reader.TryRead(out var left))
            {
                _admission.Exit(left.Body.Length);
                left.Completion.TrySetException(stopped);
            }
        }
        finally
        {
            _writerDone.TrySetResult();
        }
    }

    /// <summary>Writes the batch at the end of the file, fsyncs once, and only then completes its appends.</summary>
    private void Commit(ArrayBufferWriter<byte> buffer, List<(PendingAppend Append, long Offset)> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var handle = _handle!;
        try
        {
            RandomAccess.Write(handle, buffer.WrittenSpan, _length);
            var started = _time.GetTimestamp();
            RandomAccess.FlushToDisk(handle);
            _metrics.RecordFsync(_time.GetElapsedTime(started), batch.Count);
        }
        catch (IOException error)
        {
            LogWriteFailed(error, Path, batch.Count);
            var failed = new DeadLetterLogUnavailableException($"The dead letter could not be written to the log: {error.Message}", error);
            foreach (var (append, _) in batch)
            {
                append.Completion.TrySetException(failed);
            }

            batch.Clear();
            buffer.Clear();

            // Cut what was written of the batch, so the file still ends with a whole record (a disk that was full may
            // take the next batch). If even this fails, the writer stops.
            RandomAccess.SetLength(handle, _length);
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var sequence = _first + _count;
        lock (_view)
        {
            foreach (var (_, offset) in batch)
            {
                if (_count % CheckpointStride == 0)
                {
                    _checkpoints.Add(offset);
                }

                _count++;
            }

            _length += buffer.WrittenCount;
        }

        foreach (var (append, _) in batch)
        {
            append.Completion.TrySetResult(sequence++);
        }

        batch.Clear();
        buffer.Clear();
    }

    private sealed class PendingAppend(byte[] body)
    {
        public byte[] Body { get; } = body;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead-letter log {Path}: {Count} record(s); the next is {NextSequence}")]
    private partial void LogOpened(string path, long count, long nextSequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-letter log {Path}: cut a torn last line of {Bytes} byte(s) at byte {Offset} ({Reason}); it was never acknowledged")]
    private partial void LogTornTail(string path, long bytes, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-letter log {Path} was readable by others (mode {Mode}); restricted to its owner")]
    private partial void LogRestricted(string path, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {Sequence}: event {EventId} ({Type}) failed at {Destination} with status {Code}: {Error}")]
    private partial void LogStored(long sequence, string? eventId, string? type, string? destination, int? code, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A Stored handler failed for dead letter {Sequence}; the dead letter is stored")]
    private partial void LogObserverFailed(Exception exception, long sequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} dead letter(s) to {Path} failed; their senders get 503")]
    private partial void LogWriteFailed(Exception exception, string path, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The dead-letter log {Path} stopped taking dead letters: its file could not be restored to whole records")]
    private partial void LogWriterFailed(Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead-letter log {Path} closed with {Count} record(s)")]
    private partial void LogClosed(string path, long count);
}

/// <summary>
/// A listing's start, fixed when it began: records appended later are not in it, and it reads only bytes already
/// on disk, so it never sees a record being written.
/// </summary>
internal sealed class LogCursor(SafeFileHandle file, long total, long firstSequence, long available, long start, int skip, long end)
{
    /// <summary>Records in the log when the listing began.</summary>
    public long Total { get; } = total;

    /// <summary>The sequence of the first line <see cref="ReadAsync"/> yields.</summary>
    public long FirstSequence { get; } = firstSequence;

    /// <summary>How many records follow from <see cref="FirstSequence"/> on.</summary>
    public long Available { get; } = available;

    /// <summary>The records in order, each line without its newline; a line is valid until the next one is read.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Available == 0)
        {
            yield break;
        }

        var reader = new LineReader(file, start, end, DeadLetterRecord.MaxLineBytes);
        var toSkip = skip;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (toSkip > 0)
            {
                toSkip--;
                continue;
            }

            yield return line.Text;
        }
    }
}
