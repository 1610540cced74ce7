using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// Watches benchmark workflows from outside, like any subscriber: a Trigger delivers it every stage completion, the
/// dead-letter log tells it about failures. A workflow ends when the last stage's completion arrives here; each
/// stage's report (where its read was served from, how long it took) is kept for the breakdown.
/// </summary>
public sealed class WorkflowTracker
{
    private readonly ConcurrentDictionary<string, Tracked> _workflows = new(StringComparer.Ordinal);
    private long _rejected;

    /// <summary>Deliveries that were not a stage completion it could read.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Starts tracking <paramref name="workflowId"/> (call before starting it); the task completes when
    /// <paramref name="lastStage"/> has reported, or fails when one of its events was dead-lettered.
    /// </summary>
    public Task<IReadOnlyList<StageReport>> Expect(string workflowId, string lastStage)
    {
        var tracked = new Tracked(lastStage);
        if (!_workflows.TryAdd(workflowId, tracked))
        {
            throw new InvalidOperationException($"Workflow '{workflowId}' is already tracked.");
        }

        return tracked.Done.Task;
    }

    /// <summary>Stops tracking a workflow (finished, failed or abandoned), so a run holds only what is in flight.</summary>
    public void Forget(string workflowId) => _workflows.TryRemove(workflowId, out _);

    public void Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(pattern, async context =>
        {
            try
            {
                var received = await context.Request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, context.RequestAborted);
                Observe(received, Stopwatch.GetTimestamp());
            }
            catch (Exception error) when (error is InvalidCloudEventException or JsonException or BadHttpRequestException)
            {
                Interlocked.Increment(ref _rejected);
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });
    }

    /// <summary>Records one completion that arrived at <paramref name="timestamp"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Observe(CloudEvent completion, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Type != EventTypes.FunctionCompleted
            || completion[ExtensionNames.WorkflowId] is not string workflowId
            || completion[ExtensionNames.Function] is not string function)
        {
            Interlocked.Increment(ref _rejected);
            return;
        }

        if (!_workflows.TryGetValue(workflowId, out var tracked))
        {
            return; // Not ours (or a redelivery after the workflow was done).
        }

        var data = ReadCompletion(completion);
        var read = data?.Reads is { Count: > 0 } reads ? reads[0] : null;
        var report = new StageReport(
            function,
            completion[ExtensionNames.Node] as string ?? "",
            read?.Source ?? "none",
            read?.DurationMs ?? double.NaN,
            data?.DurationMs ?? double.NaN,
            timestamp)
        {
            ReadRef = read?.Ref,
            ReadBytes = read?.Bytes ?? 0,
        };
        tracked.Add(report);
    }

    /// <summary>Fails the workflow an event was dead-lettered for (the broker gave up on it).</summary>
    public void OnDeadLetter(CloudEvent dead)
    {
        ArgumentNullException.ThrowIfNull(dead);
        if (dead[ExtensionNames.WorkflowId] is string workflowId && _workflows.TryGetValue(workflowId, out var tracked))
        {
            var error = dead["knativeerrordata"] is string encoded ? Decode(encoded) : "";
            tracked.Done.TrySetException(new InvalidOperationException(
                $"Workflow '{workflowId}': event {dead.Id} ({dead.Type}) was dead-lettered by {dead["knativeerrordest"]} with status {dead["knativeerrorcode"]}: {error}"));
        }
    }

    private static CompletionData? ReadCompletion(CloudEvent completion)
    {
        try
        {
            return completion.Data switch
            {
                byte[] { Length: > 0 } bytes => JsonSerializer.Deserialize<CompletionData>(bytes, ContractJson.Options),
                JsonElement element => element.Deserialize<CompletionData>(ContractJson.Options),
                string text => JsonSerializer.Deserialize<CompletionData>(text, ContractJson.Options),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Decode(string encoded)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return encoded;
        }
    }

    private sealed class Tracked(string lastStage)
    {
        private readonly List<StageReport> _stages = [];

        public TaskCompletionSource<IReadOnlyList<StageReport>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(StageReport report)
        {
            lock (_stages)
            {
                // A redelivered stage replies again with the same id; the first report counts.
                if (_stages.Exists(s => s.Function == report.Function))
                {
                    return;
                }

                _stages.Add(report);
                if (string.Equals(report.Function, lastStage, StringComparison.Ordinal))
                {
                    Done.TrySetResult([.. _stages.OrderBy(s => s.ArrivedAt)]);
                }
            }
        }
    }

    /// <summary>What the tracker needs of a <c>FunctionReport</c>.</summary>
    private sealed record CompletionData(IReadOnlyList<ReadEntry>? Reads, double DurationMs);

    private sealed record ReadEntry(string? Ref, string Source, long Bytes, double DurationMs);
}

/// <summary>
/// One stage of one workflow as it reported itself: where it ran, where its input read was served from
/// (<c>local</c>, <c>waited</c>, <c>remote</c>), how long that read and the whole stage took (measured by the
/// function), and when its completion reached the tracker (<see cref="Stopwatch"/> ticks).
/// </summary>
public sealed record StageReport(string Function, string Node, string ReadSource, double ReadMs, double DurationMs, long ArrivedAt)
{
    /// <summary>The input bundle the stage read (<c>node/workflow/bundle</c>), as its report named it.</summary>
    public string? ReadRef { get; init; }

    /// <summary>Bytes of that input.</summary>
    public long ReadBytes { get; init; }

    /// <summary>
    /// True when the input was held on another node than the stage's: its bytes had to cross a link, whatever the mode
    /// (what on-demand pulls, and what a propagation moves ahead of time).
    /// </summary>
    public bool InputCrossedLink =>
        ReadRef is { } stateRef && StateRef.TryParse(stateRef, out var parsed, out _) && !string.Equals(parsed.Node, Node, StringComparison.Ordinal);
}
