using System.Text;

namespace Skylark.Events.State.Wire;

/// <summary>
/// The binary framing StateSinks use to send bundles to each other (<see cref="MediaType"/>). One stream carries one
/// or many entries; every length is explicit, so a reader can tell a complete stream from a truncated one and never
/// hands out a partial bundle. All integers are little-endian.
/// <code>
/// stream  := "SKYB" u8:format-version(1) u8:flags(0) u16:entry-count entry* "SKYE"
/// entry   := u8:status u16:ref-length ref(UTF-8 '&lt;node&gt;/&lt;workflowid&gt;/&lt;bundle&gt;')
///            status 1 (found):        i64:version i64:updated-at(Unix ms) u32:item-count item*
///            status 2 (not found):    nothing more
///            status 3 (not modified): i64:version
/// item    := u16:name-length name(UTF-8) u32:value-length value
/// </code>
/// Nothing may follow the trailer.
/// </summary>
public static class BundleWireFormat
{
    /// <summary>Content type of a bundle stream on HTTP.</summary>
    public const string MediaType = "application/vnd.skylark.bundle";

    public const byte FormatVersion = 1;

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

    /// <summary>Reads one complete stream, checking every length against <paramref name="limits"/>.</summary>
    /// <exception cref="BundleWireFormatException">The stream is truncated, corrupt, over a limit, or followed by more bytes.</exception>
    public static Task<IReadOnlyList<BundleWireEntry>> ReadAsync(Stream stream, BundleWireLimits limits, CancellationToken cancellationToken = default) =>
        new BundleWireReader(stream, limits).ReadAllAsync(cancellationToken);
}
