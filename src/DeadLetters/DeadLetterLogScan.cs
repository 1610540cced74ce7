using Microsoft.Win32.SafeHandles;

namespace Skylark.Events.DeadLetters;

/// <summary>
/// What the log holds, read once at start: its records, where every <see cref="DeadLetterLog.CheckpointStride"/>th one
/// starts (so a listing seeks instead of reading from the top), and a torn tail to cut off.
/// </summary>
internal sealed record DeadLetterLogScan(long Length, long FirstSequence, long Count, IReadOnlyList<long> Checkpoints, long TornBytes, string? TornReason)
{
    /// <summary>
    /// Reads the whole file. Bad bytes with no intact record after them are a torn tail: a write the process never
    /// acknowledged because it ended before the fsync returned; they are reported, not cut (the caller does that).
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Damage with intact records after it, or records out of sequence: cutting would lose records that were
    /// acknowledged, so the file is left alone.
    /// </exception>
    public static async Task<DeadLetterLogScan> RunAsync(SafeFileHandle file, CancellationToken cancellationToken)
    {
        var length = RandomAccess.GetLength(file);
        var reader = new LineReader(file, 0, length, DeadLetterRecord.MaxLineBytes);
        var checkpoints = new List<long>();
        long count = 0, first = 1, intactEnd = 0, lineNumber = 0;
        (long Line, long Offset, string Problem)? bad = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            var sequence = 0L;
            var problem = line.TooLong ? $"it is longer than {DeadLetterRecord.MaxLineBytes} bytes"
                : !line.Terminated ? "it has no newline at its end"
                : DeadLetterRecord.TryRead(line.Text.Span, out sequence, out var invalid) ? null
                : invalid;
            if (problem is not null)
            {
                bad ??= (lineNumber, line.Start, problem);
                continue;
            }

            if (bad is { } damage)
            {
                throw new InvalidDataException(
                    $"is damaged at line {damage.Line} (byte {damage.Offset}: {damage.Problem}) and intact records follow it (line {lineNumber}, sequence {sequence}); " +
                    "it was left as it is: move it aside or mend that line, then start again");
            }

            if (count > 0 && sequence != first + count)
            {
                throw new InvalidDataException(
                    $"has sequence {sequence} at line {lineNumber} where {first + count} should follow; it was left as it is: records were removed or reordered by hand");
            }

            if (count == 0)
            {
                first = sequence;
            }

            if (count % DeadLetterLog.CheckpointStride == 0)
            {
                checkpoints.Add(line.Start);
            }

            count++;
            intactEnd = line.End;
        }

        return new DeadLetterLogScan(intactEnd, first, count, checkpoints, length - intactEnd, bad?.Problem);
    }
}
