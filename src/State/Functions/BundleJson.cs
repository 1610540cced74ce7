using System.Text.Json;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.State.Functions;

/// <summary>Reads a JSON item of a bundle, turning anything unreadable into a <see cref="FunctionInputException"/>.</summary>
public static class BundleJson
{
    /// <summary>
    /// The item <paramref name="item"/> of <paramref name="bundle"/> as <typeparamref name="T"/> (ContractJson, camelCase).
    /// Validation errors thrown by <typeparamref name="T"/>'s constructor count as invalid too.
    /// </summary>
    /// <remarks><paramref name="what"/> names the item in errors, e.g. "preprocess settings of camera 'cam-1'".</remarks>
    public static T Read<T>(Bundle bundle, string item, string what)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (!bundle.Items.TryGetValue(item, out var bytes))
        {
            throw new FunctionInputException(
                $"The {what} (bundle '{bundle.StateRef}') has no item '{item}'; it has: {string.Join(", ", bundle.Items.Keys.Order(StringComparer.Ordinal))}.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, ContractJson.Options)
                ?? throw new FunctionInputException($"The {what} (bundle '{bundle.StateRef}', item '{item}') is JSON null.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new FunctionInputException($"The {what} (bundle '{bundle.StateRef}', item '{item}') is invalid: {e.Message}", e);
        }
    }

    /// <summary>The UTF-8 JSON of <paramref name="value"/> as ContractJson writes it, for a bundle item.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ContractJson.Options);
}
