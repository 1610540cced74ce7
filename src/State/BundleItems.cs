using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Skylark.Events.State;

/// <summary>
/// The named byte values of one bundle: immutable, names validated, size known. Values are owned copies,
/// so a caller reusing its buffers cannot change a bundle after the fact.
/// </summary>
public sealed class BundleItems : IReadOnlyDictionary<string, ReadOnlyMemory<byte>>
{
    public const int MaxNameLength = 256;

    private readonly Dictionary<string, ReadOnlyMemory<byte>> _items;

    private BundleItems(Dictionary<string, ReadOnlyMemory<byte>> items)
    {
        _items = items;
        long size = 0;
        foreach (var (name, value) in items)
        {
            size += Encoding.UTF8.GetByteCount(name) + value.Length;
        }

        SizeBytes = size;
    }

    public static BundleItems Empty { get; } = new(new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal));

    /// <summary>UTF-8 bytes of all item names plus all values: what the size limit is checked against.</summary>
    public long SizeBytes { get; }

    public int Count => _items.Count;

    public IEnumerable<string> Keys => _items.Keys;

    public IEnumerable<ReadOnlyMemory<byte>> Values => _items.Values;

    public ReadOnlyMemory<byte> this[string key] =>
        _items.TryGetValue(key, out var value)
            ? value
            : throw new KeyNotFoundException($"Bundle has no item '{key}'; it has: {string.Join(", ", _items.Keys.Order(StringComparer.Ordinal))}.");

    public static BundleItemsBuilder CreateBuilder() => new();

    /// <summary>Validates and copies <paramref name="items"/>; returns the same instance when it already is <see cref="BundleItems"/>.</summary>
    public static BundleItems From(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items is BundleItems ready)
        {
            return ready;
        }

        var builder = new BundleItemsBuilder();
        foreach (var (name, value) in items)
        {
            builder.Add(name, value);
        }

        return builder.Build();
    }

    /// <summary>Item names are 1..256 characters without control characters and must not start with '_' (metadata).</summary>
    public static bool IsValidName([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? problem)
    {
        if (string.IsNullOrEmpty(name))
        {
            problem = "Bundle item name is empty.";
            return false;
        }

        if (name.Length > MaxNameLength)
        {
            problem = $"Bundle item name '{name[..32]}…' is longer than {MaxNameLength} characters.";
            return false;
        }

        if (name[0] == BundleKeys.ReservedFieldPrefix)
        {
            problem = $"Bundle item name '{name}' starts with '{BundleKeys.ReservedFieldPrefix}', which is reserved for bundle metadata.";
            return false;
        }

        if (name.Any(char.IsControl))
        {
            problem = $"Bundle item name '{name.ReplaceLineEndings(" ")}' contains a control character.";
            return false;
        }

        problem = null;
        return true;
    }

    public bool ContainsKey(string key) => _items.ContainsKey(key);

    public bool TryGetValue(string key, out ReadOnlyMemory<byte> value) => _items.TryGetValue(key, out value);

    public string GetString(string name) => Encoding.UTF8.GetString(this[name].Span);

    public T? GetJson<T>(string name, JsonSerializerOptions? options = null) => JsonSerializer.Deserialize<T>(this[name].Span, options);

    public T? GetJson<T>(string name, JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(this[name].Span, typeInfo);

    public IEnumerator<KeyValuePair<string, ReadOnlyMemory<byte>>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Takes ownership of already-validated values read from Redis (no copy).</summary>
    internal static BundleItems Adopt(Dictionary<string, ReadOnlyMemory<byte>> items) => new(items);
}
