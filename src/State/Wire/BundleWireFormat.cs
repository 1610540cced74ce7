using System.Text;

namespace Skylark.Events.State.Wire;

/// <summary>
/// The binary framing StateSinks use to send bundles to each other (<see cref="MediaType"/>). One stream carries one
/// or many entries; every length is explicit, so a reader can tell a complete stream from a truncated one and never
/// hands out a partial bundle. All integers are little-endian.
/// <code>
/// stream  := "SKYB" u8:format-version(1|2) u8:flags(0) u16:entry-count entry* "SKYE"
/// entry   := u8:status u16:ref-length ref(UTF-8 '&lt;node&gt;/&lt;workflowid&gt;/&lt;bundle&gt;')
///            status 1 (found):        i64:version i64:updated-at(Unix ms) u32:item-count item*
///            status 2 (not found):    nothing more
///            status 3 (not modified): i64:version
///            status 4 (streamed, format version 2 only): part* end
/// item    := u16:name-length name(UTF-8) u32:value-length value
/// part    := u8:1 item
/// end     := u8:2 (commit) i64:version i64:updated-at(Unix ms) u32:item-count u64:size
///          | u8:3 (abort)  u16:reason-length reason(UTF-8)
/// </code>
/// Nothing may follow the trailer. Format version 2 (<see cref="StreamingFormatVersion"/>) adds only the streamed entry:
/// the items of a bundle sent one by one while its producer writes them, each as soon as it is staged. Its end says
/// which version the items became and how many items and bytes the sender sent, so a receiver that got fewer (a
/// truncated stream), more, or other ones rejects the entry; an abort says why the write will not complete. A sender
/// uses version 2 only when the receiver asked for it (<see cref="StreamingMediaType"/> in <c>Accept</c>) and an entry is
/// being written item by item; every other answer is version 1, which every reader understands.
/// </summary>
public static class BundleWireFormat
{
    /// <summary>Content type of a bundle stream on HTTP.</summary>
    public const string MediaType = "application/vnd.skylark.bundle";

    public const byte FormatVersion = 1;

    /// <summary>The format version that adds streamed entries (<see cref="BundleWireStatus.Streamed"/>).</summary>
    public const byte StreamingFormatVersion = 2;

    /// <summary>The media-type parameter naming the format version.</summary>
    public const string VersionParameter = "version";

    /// <summary>
    /// A receiver that can read streamed entries sends this in <c>Accept</c>; a sender answering with format version 2
    /// sends it as <c>Content-Type</c>.
    /// </summary>
    public const string StreamingMediaType = MediaType + "; " + VersionParameter + "=2";

    /// <summary>Longest abort reason on the wire (UTF-8 bytes); a writer cuts longer ones.</summary>
    public const int MaxAbortReasonBytes = 1024;

    internal const byte ItemPart = 1;

    internal const byte CommitPart = 2;

    internal const byte AbortPart = 3;

    /// <summary>Most entries one stream can carry (the count is a u16).</summary>
    public const int MaxEntries = ushort.MaxValue;

    /// <summary>Header: magic, format version, flags, entry count.</summary>
    public const int HeaderLength = 8;

    public const int TrailerLength = 4;

    /// <summary>A StateRef is three segments of at most 128 ASCII characters and two slashes.</summary>
    public const int MaxStateRefBytes = (3 * Contracts.StateRef.MaxSegmentLength) + 2;

    /// <summary>An item name is at most <see cref="BundleItems.MaxNameLength"/> UTF-16 code units, so at most this many UTF-8 bytes.</summary>
    public const int MaxItemNameBytes = 3 * BundleItems.MaxNameLength;

    internal static ReadOnlySpan<byte> HeaderMagic => "SKYB"u8;

    internal static ReadOnlySpan<byte> TrailerMagic => "SKYE"u8;

    /// <summary>Strict UTF-8: invalid bytes in a name are an error, not a replacement character.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The exact length <see cref="WriteAsync"/> produces for <paramref name="entries"/> (e.g. for Content-Length).</summary>
    public static long Measure(IReadOnlyCollection<BundleWireEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long length = HeaderLength + TrailerLength;
        foreach (var entry in entries)
        {
            length += Measure(entry);
        }

        return length;
    }

    /// <summary>Bytes one entry takes on the wire.</summary>
    public static long Measure(BundleWireEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        long length = 1 + 2 + Encoding.UTF8.GetByteCount(entry.StateRef.ToString());
        switch (entry.Status)
        {
            case BundleWireStatus.Found:
                length += 8 + 8 + 4;
                foreach (var (name, value) in entry.Bundle!.Items)
                {
                    length += 2 + Encoding.UTF8.GetByteCount(name) + 4 + value.Length;
                }

                break;
            case BundleWireStatus.NotModified:
                length += 8;
                break;
        }

        return length;
    }

    /// <summary>Writes <paramref name="entries"/> as one complete stream and flushes it.</summary>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<BundleWireEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var writer = new BundleWireWriter(stream, entries.Count);
        foreach (var entry in entries)
        {
            await writer.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads one complete stream (format version 1 or 2), checking every length against <paramref name="limits"/>.
    /// Streamed entries are assembled in memory (each within the limits) and returned with their bundle.
    /// </summary>
    /// <exception cref="BundleWireFormatException">The stream is truncated, corrupt, over a limit, or followed by more bytes.</exception>
    public static Task<IReadOnlyList<BundleWireEntry>> ReadAsync(Stream stream, BundleWireLimits limits, CancellationToken cancellationToken = default) =>
        new BundleWireReader(stream, limits).ReadAllAsync(cancellationToken);
}
