using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;

namespace Skylark.Events.Predictor.Completions;

/// <summary>
/// Turns a received CloudEvent into a <see cref="Completion"/>, or explains why it cannot: the answer to a bad event
/// is a 400 with that explanation, so the broker dead-letters it with a reason instead of the Predictor guessing.
/// </summary>
public static class CompletionReader
{
    /// <param name="cloudEvent">The event as delivered.</param>
    /// <param name="receivedAt">Used as the completion time when the event carries none.</param>
    /// <exception cref="InvalidCompletionException">Not a usable completion; the message names the attribute or field.</exception>
    public static Completion Read(CloudEvent cloudEvent, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type != EventTypes.FunctionCompleted)
        {
            return ReadStart(cloudEvent, receivedAt);
        }

        var function = RequireExtension(cloudEvent, ExtensionNames.Function);
        var workflowId = RequireSegment(cloudEvent, ExtensionNames.WorkflowId);
        var node = RequireSegment(cloudEvent, ExtensionNames.Node);
        StateRef? stateKey = null;
        if (Extension(cloudEvent, ExtensionNames.StateKey) is { } key)
        {
            stateKey = StateRef.TryParse(key, out var parsed, out var error)
                ? parsed
                : throw new InvalidCompletionException($"Extension '{ExtensionNames.StateKey}': {error}");
        }

        var holder = Extension(cloudEvent, ExtensionNames.StateNode);
        if (holder is not null && !StateRef.IsValidSegment(holder))
        {
            throw new InvalidCompletionException($"Extension '{ExtensionNames.StateNode}' value '{Truncate(holder)}' must be a node name matching {StateRef.SegmentPattern}.");
        }

        if (holder is not null && stateKey is not null && holder != stateKey.Node)
        {
            throw new InvalidCompletionException(
                $"Extension '{ExtensionNames.StateNode}' is '{holder}' but '{ExtensionNames.StateKey}' '{stateKey}' is held by '{stateKey.Node}'.");
        }

        var report = ReadReport(cloudEvent);
        var outputBytes = report.Bytes
            ?? (stateKey is null ? null : report.Writes.LastOrDefault(w => w.Ref == stateKey)?.Bytes);
        return new Completion(
            cloudEvent,
            function,
            workflowId,
            node,
            cloudEvent.Time ?? receivedAt,
            stateKey,
            holder,
            Extension(cloudEvent, ExtensionNames.Camera),
            outputBytes,
            report.Reads,
            report.Writes,
            report.ElapsedMs);
    }

    /// <summary>
    /// Any other event with a <c>workflowid</c> starts a workflow (the Trigger that sent it here said so); it must say
    /// where: <c>statenode</c>, else the node of <c>statekey</c> (its input), else <c>node</c>. Skylark's own state and
    /// function events are never starts: routing them here is a Trigger mistake, answered with a reason.
    /// </summary>
    private static Completion ReadStart(CloudEvent cloudEvent, DateTimeOffset receivedAt)
    {
        var type = cloudEvent.Type ?? "";
        if (type.StartsWith("io.skylark.state.", StringComparison.Ordinal) || type.StartsWith("io.skylark.function.", StringComparison.Ordinal))
        {
            throw new InvalidCompletionException(
                $"The Predictor consumes '{EventTypes.FunctionCompleted}' events and workflow starts; '{type}' is neither. Check the predictor Triggers' filters.");
        }

        if (Extension(cloudEvent, ExtensionNames.WorkflowId) is null)
        {
            throw new InvalidCompletionException(
                $"Event '{cloudEvent.Id}' of type '{type}' is not a completion, and as a workflow start it needs the '{ExtensionNames.WorkflowId}' extension.");
        }

        var workflowId = RequireSegment(cloudEvent, ExtensionNames.WorkflowId);
        StateRef? input = null;
        if (Extension(cloudEvent, ExtensionNames.StateKey) is { } key)
        {
            input = StateRef.TryParse(key, out var parsed, out var error)
                ? parsed
                : throw new InvalidCompletionException($"Extension '{ExtensionNames.StateKey}': {error}");
        }

        var node = Extension(cloudEvent, ExtensionNames.StateNode) ?? input?.Node ?? Extension(cloudEvent, ExtensionNames.Node)
            ?? throw new InvalidCompletionException(
                $"Workflow start '{cloudEvent.Id}' ({type}) must say where it begins: '{ExtensionNames.StateNode}', '{ExtensionNames.StateKey}' or '{ExtensionNames.Node}'.");
        if (!StateRef.IsValidSegment(node))
        {
            throw new InvalidCompletionException($"Workflow start '{cloudEvent.Id}': node '{Truncate(node)}' must match {StateRef.SegmentPattern}.");
        }

        if (input is not null && input.Node != node)
        {
            throw new InvalidCompletionException(
                $"Workflow start '{cloudEvent.Id}': '{ExtensionNames.StateNode}' is '{node}' but '{ExtensionNames.StateKey}' '{input}' is held by '{input.Node}'.");
        }

        return new Completion(
            cloudEvent,
            Completion.StartPrefix + type,
            workflowId,
            node,
            cloudEvent.Time ?? receivedAt,
            input,
            node,
            Extension(cloudEvent, ExtensionNames.Camera),
            isStart: true);
    }

    private static string? Extension(CloudEvent cloudEvent, string name) =>
        cloudEvent[name] switch
        {
            null => null,
            string { Length: 0 } => null,
            string text => text,
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
        };

    private static string RequireExtension(CloudEvent cloudEvent, string name) =>
        Extension(cloudEvent, name) ?? throw new InvalidCompletionException($"A completion needs the '{name}' extension; event '{cloudEvent.Id}' has none.");

    private static string RequireSegment(CloudEvent cloudEvent, string name)
    {
        var value = RequireExtension(cloudEvent, name);
        return StateRef.IsValidSegment(value)
            ? value
            : throw new InvalidCompletionException($"Extension '{name}' value '{Truncate(value)}' must match {StateRef.SegmentPattern}.");
    }

    private static Report ReadReport(CloudEvent cloudEvent)
    {
        JsonDocument? owned = null;
        try
        {
            JsonElement data;
            switch (cloudEvent.Data)
            {
                case null:
                    return Report.Empty;
                case JsonElement element:
                    data = element;
                    break;
                case byte[] bytes when IsJson(cloudEvent.DataContentType):
                    owned = JsonDocument.Parse(bytes);
                    data = owned.RootElement;
                    break;
                case string text when IsJson(cloudEvent.DataContentType):
                    owned = JsonDocument.Parse(Encoding.UTF8.GetBytes(text));
                    data = owned.RootElement;
                    break;
                default:
                    // Not JSON: a function may report nothing; the attributes alone still drive prediction.
                    return Report.Empty;
            }

            return data.ValueKind == JsonValueKind.Object ? Parse(data) : Report.Empty;
        }
        catch (JsonException e)
        {
            throw new InvalidCompletionException($"The completion's data is not valid JSON: {e.Message}", e);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static Report Parse(JsonElement data)
    {
        var reads = new List<BundleRead>();
        if (data.TryGetProperty("reads", out var readsElement) && readsElement.ValueKind != JsonValueKind.Null)
        {
            foreach (var (item, i) in Items(readsElement, "reads"))
            {
                var source = item.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "local";
                reads.Add(new BundleRead(RequireRef(item, $"reads[{i}]"), source, OptionalBytes(item, $"reads[{i}].bytes")));
            }
        }

        var writes = new List<BundleWrite>();
        if (data.TryGetProperty("writes", out var writesElement) && writesElement.ValueKind != JsonValueKind.Null)
        {
            foreach (var (item, i) in Items(writesElement, "writes"))
            {
                writes.Add(new BundleWrite(RequireRef(item, $"writes[{i}]"), OptionalBytes(item, $"writes[{i}].bytes")));
            }
        }

        double? elapsed = null;
        if (data.TryGetProperty("elapsedMs", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            elapsed = e.ValueKind == JsonValueKind.Number && e.GetDouble() is var ms && double.IsFinite(ms) && ms >= 0
                ? ms
                : throw new InvalidCompletionException("data.elapsedMs must be a number of milliseconds ≥ 0.");
        }

        return new Report(OptionalBytes(data, "bytes"), reads, writes, elapsed);
    }

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement array, string name)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidCompletionException($"data.{name} must be an array.");
        }

        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidCompletionException($"data.{name}[{i}] must be an object with 'ref'.");
            }

            yield return (item, i++);
        }
    }

    private static StateRef RequireRef(JsonElement item, string where)
    {
        if (!item.TryGetProperty("ref", out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidCompletionException($"data.{where}.ref must be a StateRef string '<node>/<workflowid>/<bundle>'.");
        }

        return StateRef.TryParse(value.GetString(), out var stateRef, out var error)
            ? stateRef
            : throw new InvalidCompletionException($"data.{where}.ref: {error}");
    }

    private static long? OptionalBytes(JsonElement item, string where)
    {
        var name = where[(where.LastIndexOf('.') + 1)..];
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var bytes) && bytes >= 0
            ? bytes
            : throw new InvalidCompletionException($"data.{where} must be a whole number of bytes ≥ 0.");
    }

    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return true;
        }

        var media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 64), "…");

    private sealed record Report(long? Bytes, IReadOnlyList<BundleRead> Reads, IReadOnlyList<BundleWrite> Writes, double? ElapsedMs)
    {
        public static readonly Report Empty = new(null, [], [], null);
    }
}
