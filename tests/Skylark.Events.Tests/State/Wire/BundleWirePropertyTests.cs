using CsCheck;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;

namespace Skylark.Events.Tests.State.Wire;

/// <summary>Whatever a writer sends, a reader gets back unchanged: format version 1 entries and version 2 streamed ones.</summary>
public sealed class BundleWirePropertyTests
{
    private static readonly BundleWireLimits Limits = new(maxBundleBytes: 1024 * 1024);

    private static readonly Gen<StateRef> StateRefs =
        Gen.Char["abcxyz019_-."].Array[1, 12].Select(c => "n" + new string(c))
            .Select(segment => new StateRef(segment, "wf-" + segment.Length, segment));

    // Names as BundleItems allows them: no control characters, no leading '_', non-ASCII welcome.
    private static readonly Gen<string> ItemNames = Gen.Char["abcdefxyz09 .-_éü€"].Array[0, 20].Select(c => "i" + new string(c));

    private static readonly Gen<Dictionary<string, byte[]>> Items =
        Gen.Select(ItemNames, Gen.Byte.Array[0, 300]).Array[0, 6]
            .Select(pairs => pairs.DistinctBy(p => p.Item1, StringComparer.Ordinal).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal));

    private static readonly Gen<DateTimeOffset> Times = Gen.Long[0, 4_102_444_800_000].Select(DateTimeOffset.FromUnixTimeMilliseconds);

    private static readonly Gen<BundleWireEntry> Entries = Gen.OneOf(
        Gen.Select(StateRefs, Gen.Long[1, long.MaxValue], Times, Items, (stateRef, version, at, items) => BundleWireEntry.Found(Bundle(stateRef, version, at, items))),
        StateRefs.Select(BundleWireEntry.NotFound),
        Gen.Select(StateRefs, Gen.Long[1, long.MaxValue], BundleWireEntry.NotModified));

    [Fact]
    public void Version_1_entries_read_back_as_written() =>
        Entries.Array[0, 8].SampleAsync(async entries =>
        {
            using var stream = new MemoryStream();
            await BundleWireFormat.WriteAsync(stream, entries);
            stream.Position = 0;

            var read = await BundleWireFormat.ReadAsync(stream, Limits);

            Assert.Equal(entries.Select(Describe), read.Select(Describe));
        }, iter: 300);

    [Fact]
    public void Version_2_streamed_entries_read_back_as_the_bundle_their_items_made() =>
        Gen.Select(StateRefs, Gen.Long[1, long.MaxValue], Times, Items).SampleAsync(async (stateRef, version, at, items) =>
        {
            using var stream = new MemoryStream();
            await using (var writer = new BundleWireWriter(stream, count: 1, BundleWireFormat.StreamingFormatVersion))
            {
                await writer.BeginStreamedAsync(stateRef);
                foreach (var (name, value) in items)
                {
                    await writer.WriteStreamedItemAsync(name, value);
                }

                await writer.CommitStreamedAsync(version, at);
                await writer.CompleteAsync();
            }

            stream.Position = 0;
            var entry = Assert.Single(await BundleWireFormat.ReadAsync(stream, Limits));

            Assert.True(entry.IsCommittedStream);
            Assert.Equal(Describe(BundleWireEntry.Found(Bundle(stateRef, version, at, items))), Describe(BundleWireEntry.Found(entry.Bundle!)));
        }, iter: 300);

    private static Bundle Bundle(StateRef stateRef, long version, DateTimeOffset at, Dictionary<string, byte[]> items)
    {
        var builder = BundleItems.CreateBuilder();
        foreach (var (name, value) in items)
        {
            builder.Add(name, value);
        }

        return new Bundle(stateRef, version, at, builder.Build());
    }

    /// <summary>Everything an entry carries, as comparable text (items in name order, values in hex).</summary>
    private static string Describe(BundleWireEntry entry) =>
        $"{entry.Status} {entry.StateRef} v{entry.Version} " + (entry.Bundle is { } bundle
            ? $"{bundle.Version}@{bundle.UpdatedAt.ToUnixTimeMilliseconds()} " + string.Join(",", bundle.Items
                .OrderBy(i => i.Key, StringComparer.Ordinal)
                .Select(i => $"{i.Key}={Convert.ToHexString(i.Value.Span)}"))
            : "-");
}
