namespace Skylark.Events.DeadLetters;

/// <summary>
/// The bound on appends waiting for the writer, in records and in bytes, so a burst or a slow disk costs callers a
/// 503 instead of the process its memory. One record is always admitted into an empty queue, however large (the
/// request size limit bounds it), so no valid dead letter is refused for good.
/// </summary>
internal sealed class AppendAdmission
{
    private readonly Lock _gate = new();
    private int _records;
    private long _bytes;

    public AppendAdmission(int maxRecords, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxRecords = maxRecords;
        MaxBytes = maxBytes;
    }

    public int MaxRecords { get; }

    public long MaxBytes { get; }

    /// <summary>True when nothing more fits; a cheap look before a request body is read.</summary>
    public bool IsFull
    {
        get
        {
            lock (_gate)
            {
                return _records >= MaxRecords || _bytes >= MaxBytes;
            }
        }
    }

    public bool TryEnter(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            if (_records > 0 && (_records >= MaxRecords || _bytes + bytes > MaxBytes))
            {
                return false;
            }

            _records++;
            _bytes += bytes;
            return true;
        }
    }

    /// <summary>The writer took an admitted record (or it was refused after all).</summary>
    public void Exit(long bytes)
    {
        lock (_gate)
        {
            _records--;
            _bytes -= bytes;
        }
    }
}
