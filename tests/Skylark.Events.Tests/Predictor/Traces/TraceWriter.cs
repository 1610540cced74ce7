using System.Buffers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Tests.Predictor.Traces;

/// <summary>
/// Builds completion events shaped like the functions' replies (extensions of docs/contracts.md, data shaped like
/// their <c>FunctionReport</c>) and writes them as JSON Lines in time order: <c>{"event": {...}, "next": [...]}</c>.
/// </summary>
internal sealed class TraceWriter
{
    private static readonly JsonEventFormatter Formatter = new();
    private readonly List<(DateTimeOffset Time, int Order, CloudEvent Event, TraceSuccessor[] Next)> _records = [];

    public sealed record Read(StateRef Ref, string Source, long Bytes);

    public sealed record Write(StateRef Ref, long Bytes);

    /// <summary>Adds one completion; <paramref name="next"/> is what it will have led to.</summary>
    public void Completion(
        string function,
        string workflowId,
        string node,
        string camera,
        DateTimeOffset time,
        StateRef output,
        IEnumerable<Read> reads,
        IEnumerable<Write> writes,
        double durationMs,
        object? result,
        IEnumerable<TraceSuccessor> next,
        params (string Name, string Value)[] extensions)
    {
        var readList = reads.ToList();
        var writeList = writes.ToList();
        var data = new
        {
            function,
            node,
            workflowId,
            output = output.ToString(),
            reads = readList.Select((r, i) => new
            {
                @ref = r.Ref.ToString(),
                source = r.Source,
                version = r.Source == "absent" ? (long?)null : 1 + i,
                bytes = r.Source == "absent" ? 0 : r.Bytes,
                durationMs = r.Source == "remote" ? 12.5 : 0.4,
            }).ToList(),
            writes = writeList.Select((w, i) => new { @ref = w.Ref.ToString(), version = 1 + i, bytes = w.Bytes }).ToList(),
            durationMs,
            result,
        };

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"{function}-{workflowId}",
            Type = EventTypes.FunctionCompleted,
            Source = EventSources.Function(function),
            Time = time,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(data, ContractJson.Options),
        };
        cloudEvent[ExtensionNames.WorkflowId] = workflowId;
        cloudEvent[ExtensionNames.Function] = function;
        cloudEvent[ExtensionNames.Node] = node;
        cloudEvent[ExtensionNames.StateKey] = output.ToString();
        cloudEvent[ExtensionNames.StateNode] = output.Node;
        cloudEvent[ExtensionNames.Camera] = camera;
        foreach (var (name, value) in extensions)
        {
            cloudEvent[name] = value;
        }

        _records.Add((time, _records.Count, cloudEvent, next.ToArray()));
    }

    /// <summary>The events added so far, in time order.</summary>
    public IReadOnlyList<CloudEvent> Events => _records.OrderBy(r => r.Time).ThenBy(r => r.Order).Select(r => r.Event).ToList();

    public string ToJsonLines()
    {
        var text = new StringBuilder();
        foreach (var (_, _, cloudEvent, next) in _records.OrderBy(r => r.Time).ThenBy(r => r.Order))
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("event");
                writer.WriteRawValue(Formatter.EncodeStructuredModeMessage(cloudEvent, out _).Span);
                writer.WriteStartArray("next");
                foreach (var successor in next)
                {
                    writer.WriteStartObject();
                    writer.WriteString("function", successor.Function);
                    writer.WriteString("node", successor.Node);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            text.Append(Encoding.UTF8.GetString(buffer.WrittenSpan)).Append('\n');
        }

        return text.ToString();
    }
}
