using Microsoft.Win32.SafeHandles;

namespace Skylark.Events.DeadLetters;

/// <summary>One line of the file, without its newline.</summary>
/// <param name="Text">Valid until the next read; empty when <paramref name="TooLong"/>.</param>
/// <param name="Start">Its offset in the file.</param>
/// <param name="Length">Its length in the file, without the newline.</param>
/// <param name="Terminated">False for bytes at the end of the file that no newline closes.</param>
/// <param name="TooLong">Longer than the reader's limit: skipped, not read.</param>
internal readonly record struct FileLine(ReadOnlyMemory<byte> Text, long Start, long Length, bool Terminated, bool TooLong)
{
    /// <summary>Where the next line starts.</summary>
    public long End => Start + Length + (Terminated ? 1 : 0);
}

/// <summary>
/// Reads the lines of a region of a file through positional reads, so it shares the log's handle with the writer and
/// never moves a file position. Memory is bounded by the longest line it accepts.
/// </summary>
internal sealed class LineReader
{
    private const int InitialBuffer = 64 * 1024;

    private readonly SafeFileHandle _file;
    private readonly int _maxLine;
    private long _end;
    private byte[] _buffer;
    private int _from;
    private int _to;

    // The file offset of _buffer[_to]: the next byte to read.
    private long _position;

    // The file offset of _buffer[_from]: where the next line starts.
    private long _lineStart;

    public LineReader(SafeFileHandle file, long start, long end, int maxLine)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLine, 1);
        _file = file;
        _maxLine = maxLine;
        _end = end;
        _position = start;
        _lineStart = start;
        _buffer = new byte[(int)Math.Min(InitialBuffer, Math.Max(1, Math.Min(end - start, maxLine + 1L)))];
    }

    /// <summary>The next line, or null at the end of the region.</summary>
    public async ValueTask<FileLine?> ReadAsync(CancellationToken cancellationToken)
    {
        var skipping = false;
        long skipped = 0;
        while (true)
        {
            var newline = _buffer.AsSpan(_from, _to - _from).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var start = _lineStart;
                var length = skipped + newline;
                var text = _buffer.AsMemory(_from, newline);
                _from += newline + 1;
                _lineStart = start + length + 1;
                return skipping
                    ? new FileLine(ReadOnlyMemory<byte>.Empty, start, length, Terminated: true, TooLong: true)
                    : new FileLine(text, start, length, Terminated: true, TooLong: false);
            }

            if (_position >= _end)
            {
                if (_from == _to && !skipping)
                {
                    return null;
                }

                var start = _lineStart;
                var text = _buffer.AsMemory(_from, _to - _from);
                var length = skipped + text.Length;
                _lineStart = start + length;
                _from = _to;
                return skipping
                    ? new FileLine(ReadOnlyMemory<byte>.Empty, start, length, Terminated: false, TooLong: true)
                    : new FileLine(text, start, length, Terminated: false, TooLong: false);
            }

            if (_from > 0)
            {
                // Keep the unfinished line at the front of the buffer.
                _buffer.AsSpan(_from, _to - _from).CopyTo(_buffer);
                _to -= _from;
                _from = 0;
            }

            if (_to == _buffer.Length)
            {
                if (_buffer.Length <= _maxLine)
                {
                    Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, _maxLine + 1L));
                }
                else
                {
                    // Over the limit: forget what was read of this line and look for its end.
                    skipping = true;
                    skipped += _to;
                    _to = 0;
                }
            }

            var read = await RandomAccess.ReadAsync(_file, _buffer.AsMemory(_to, (int)Math.Min(_buffer.Length - _to, _end - _position)), _position, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The file is shorter than the region: its end is here.
                _end = _position;
                continue;
            }

            _position += read;
            _to += read;
        }
    }
}
