using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Skylark.Events.State;

/// <summary>Collects items for one bundle write; names are validated as they are added.</summary>
public sealed class BundleItemsBuilder
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _items = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    /// <summary>Adds a copy of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">Invalid or duplicate name.</exception>
    public BundleItemsBuilder Add(string name, ReadOnlySpan<byte> value)
    {
        if (!BundleItems.IsValidName(name, out var problem))
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (!_items.TryAdd(name, value.ToArray()))
        {
            throw new ArgumentException($"Bundle item '{name}' was added twice.", nameof(name));
        }

        return this;
    }

    public BundleItemsBuilder Add(string name, ReadOnlyMemory<byte> value) => Add(name, value.Span);

    public BundleItemsBuilder Add(string name, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, value.AsSpan());
    }

    /// <summary>Adds <paramref name="value"/> as UTF-8.</summary>
    public BundleItemsBuilder Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, Encoding.UTF8.GetBytes(value).AsSpan());
    }

    public BundleItemsBuilder AddJson<T>(string name, T value, JsonSerializerOptions? options = null) =>
        Add(name, JsonSerializer.SerializeToUtf8Bytes(value, options).AsSpan());

    public BundleItemsBuilder AddJson<T>(string name, T value, JsonTypeInfo<T> typeInfo) =>
        Add(name, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo).AsSpan());

    public BundleItems Build() => BundleItems.Adopt(new Dictionary<string, ReadOnlyMemory<byte>>(_items, StringComparer.Ordinal));
}
