using System.Text.Json;
using System.Text.Json.Serialization;
using Skylark.Events.Contracts;

namespace Skylark.Events.StateSink.Peer;

/// <summary>
/// One bundle asked for in a fused fetch (<c>POST /peer/bundles:fetch</c>). With <see cref="IfNoneMatch"/> (the version
/// the caller holds) the sink answers "not modified" instead of sending a bundle the caller already has.
/// In JSON either the StateRef string or <c>{"ref": "&lt;node&gt;/&lt;workflowid&gt;/&lt;bundle&gt;", "ifNoneMatch": 3}</c>.
/// </summary>
[JsonConverter(typeof(BundleFetchJsonConverter))]
public sealed record BundleFetch
{
    public BundleFetch(StateRef stateRef, long? ifNoneMatch = null)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        if (ifNoneMatch is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ifNoneMatch), ifNoneMatch, "A held version is at least 1.");
        }

        StateRef = stateRef;
        IfNoneMatch = ifNoneMatch;
    }

    public StateRef StateRef { get; }

    public long? IfNoneMatch { get; }
}

public sealed class BundleFetchJsonConverter : JsonConverter<BundleFetch>
{
    private const string RefProperty = "ref";
    private const string IfNoneMatchProperty = "ifNoneMatch";

    public override BundleFetch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new BundleFetch(ParseRef(reader.GetString()));
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"A fetch entry is a StateRef string or {{\"{RefProperty}\": …, \"{IfNoneMatchProperty}\": …}}.");
        }

        StateRef? stateRef = null;
        long? ifNoneMatch = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case RefProperty when reader.TokenType == JsonTokenType.String:
                    stateRef = ParseRef(reader.GetString());
                    break;
                case IfNoneMatchProperty when reader.TokenType == JsonTokenType.Null:
                    break;
                case IfNoneMatchProperty when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var version) && version >= 1:
                    ifNoneMatch = version;
                    break;
                case IfNoneMatchProperty:
                    throw new JsonException($"'{IfNoneMatchProperty}' must be a version number ≥ 1.");
                case RefProperty:
                    throw new JsonException($"'{RefProperty}' must be a StateRef string.");
                default:
                    throw new JsonException($"Unknown fetch entry property '{property}'; expected '{RefProperty}' and optionally '{IfNoneMatchProperty}'.");
            }
        }

        return new BundleFetch(stateRef ?? throw new JsonException($"A fetch entry needs '{RefProperty}'."), ifNoneMatch);
    }

    public override void Write(Utf8JsonWriter writer, BundleFetch value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.IfNoneMatch is not { } version)
        {
            writer.WriteStringValue(value.StateRef.ToString());
            return;
        }

        writer.WriteStartObject();
        writer.WriteString(RefProperty, value.StateRef.ToString());
        writer.WriteNumber(IfNoneMatchProperty, version);
        writer.WriteEndObject();
    }

    private static StateRef ParseRef(string? text) =>
        StateRef.TryParse(text, out var stateRef, out var error) ? stateRef : throw new JsonException(error);
}
