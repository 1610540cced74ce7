using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Skylark.Events.Contracts;

/// <summary>
/// Where a bundle lives: <c>&lt;node&gt;/&lt;workflowid&gt;/&lt;bundle&gt;</c>.
/// Validated at construction so a malformed reference can never reach Redis keys or URLs.
/// </summary>
[JsonConverter(typeof(StateRefJsonConverter))]
public sealed partial record StateRef
{
    public const int MaxSegmentLength = 128;

    public StateRef(string node, string workflowId, string bundle)
    {
        Node = RequireSegment(node, "node");
        WorkflowId = RequireSegment(workflowId, "workflow id");
        Bundle = RequireSegment(bundle, "bundle");
    }

    public string Node { get; }
    public string WorkflowId { get; }
    public string Bundle { get; }

    /// <summary>The same bundle held on another node.</summary>
    public StateRef On(string node) => new(node, WorkflowId, Bundle);

    public override string ToString() => $"{Node}/{WorkflowId}/{Bundle}";

    public static StateRef Parse(string value)
    {
        if (TryParse(value, out var stateRef, out var error))
        {
            return stateRef;
        }

        throw new FormatException(error);
    }

    public static bool TryParse(
        [NotNullWhen(true)] string? value,
        [NotNullWhen(true)] out StateRef? stateRef,
        [NotNullWhen(false)] out string? error)
    {
        stateRef = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "StateRef is empty; expected '<node>/<workflowid>/<bundle>'.";
            return false;
        }

        var parts = value.Split('/');
        if (parts.Length != 3)
        {
            error = $"StateRef '{Truncate(value)}' has {parts.Length} segment(s); expected '<node>/<workflowid>/<bundle>'.";
            return false;
        }

        string[] names = ["node", "workflow id", "bundle"];
        for (var i = 0; i < 3; i++)
        {
            if (!IsValidSegment(parts[i]))
            {
                error = $"StateRef '{Truncate(value)}': {names[i]} segment '{Truncate(parts[i])}' must match {SegmentPattern}.";
                return false;
            }
        }

        stateRef = new StateRef(parts[0], parts[1], parts[2]);
        error = null;
        return true;
    }

    public const string SegmentPattern = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}";

    public static bool IsValidSegment(string? segment) => segment is not null && SegmentRegex().IsMatch(segment);

    private static string RequireSegment(string segment, string what) =>
        IsValidSegment(segment)
            ? segment
            : throw new ArgumentException($"StateRef {what} '{Truncate(segment ?? "")}' must match {SegmentPattern}.", what);

    private static string Truncate(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 64), "…");

    [GeneratedRegex("^" + SegmentPattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentRegex();
}

public sealed class StateRefJsonConverter : JsonConverter<StateRef>
{
    public override StateRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("StateRef must be a JSON string '<node>/<workflowid>/<bundle>'.");
        }

        return StateRef.TryParse(reader.GetString(), out var stateRef, out var error)
            ? stateRef
            : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, StateRef value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
