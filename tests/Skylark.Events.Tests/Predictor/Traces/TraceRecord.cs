using CloudNative.CloudEvents;

namespace Skylark.Events.Tests.Predictor.Traces;

/// <summary>
/// One line of a recorded trace: a completion event as the Predictor receives it, and the ground truth of what the
/// broker's invocations led to: the successor functions that completed after it, and where each ran.
/// </summary>
internal sealed record TraceRecord(CloudEvent Event, IReadOnlyList<TraceSuccessor> Next)
{
    public string Function => (string)Event["function"]!;

    public string Node => (string)Event["node"]!;

    public string WorkflowId => (string)Event["workflowid"]!;

    public DateTimeOffset Time => Event.Time!.Value;

    public IReadOnlySet<string> NextFunctions => Next.Select(n => n.Function).ToHashSet(StringComparer.Ordinal);

    public string? NextNodeOf(string function) => Next.FirstOrDefault(n => n.Function == function)?.Node;
}

internal sealed record TraceSuccessor(string Function, string Node);
