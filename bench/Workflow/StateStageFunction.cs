using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// One stage of the benchmark workflow: reads the bundle the event's <c>statekey</c> names (wherever it is, through
/// <see cref="FunctionInvocation"/>, so the reply reports where the read was served from), writes a bundle of the same
/// size as its own output on its node and replies <c>io.skylark.function.completed</c> naming that output. By default
/// the output is written at once, in one piece. When the event carries <see cref="StageWork"/> extensions (the
/// <c>pipelined</c> scenario), the stage computes for the given time and emits its output item by item as it goes
/// (<see cref="FunctionInvocation.BeginWrite"/>), each item due at its share of the compute time, and commits after the
/// last. A missing input is the event's fault: 422, so the broker dead-letters it instead of retrying.
/// </summary>
public sealed class StateStageFunction
{
    public StateStageFunction(FunctionRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Runtime = runtime;
    }

    public FunctionRuntime Runtime { get; }

    /// <summary>Output bundles live as long as a benchmark run needs them and no longer.</summary>
    public static TimeSpan OutputTimeToLive { get; } = TimeSpan.FromMinutes(30);

    public async Task<FunctionResult> HandleAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var input = invocation.RequireStateKey();
        StageWork work;
        try
        {
            work = StageWork.Parse(invocation.GetExtension(WorkflowStages.OutputItemsExtension), invocation.GetExtension(WorkflowStages.ComputeExtension));
        }
        catch (FormatException malformed)
        {
            throw new FunctionInputException(malformed.Message);
        }

        Bundle bundle;
        try
        {
            bundle = await invocation.ReadAsync(input, cancellationToken);
        }
        catch (StateNotFoundException notFound) when (invocation.IsDefinitelyMissing(notFound))
        {
            throw new FunctionInputException($"Input bundle '{input}' of stage '{invocation.Function}' does not exist. {notFound.Message}", notFound);
        }

        var state = InputState(input, bundle);

        // The same bytes again: the stage stands for a function whose output is as large as its input, and copying
        // keeps the CPU (which the emulated links share) out of the measure.
        var output = invocation.OutputRef(WorkflowStages.OutputBundle(invocation.Function));
        var version = work.IsPipelined
            ? await EmitAsync(invocation, output, state, work, cancellationToken)
            : (await invocation.WriteAsync(output, BundleItems.CreateBuilder().Add(WorkflowStages.StateItem, state).Build(), OutputTimeToLive, cancellationToken)).Version;
        var result = FunctionResult.Completed(output, new StageSummary(state.Length, version));

        // The workflow's branch and the stages' work travel with it, as a detection result would, so the alarm stage's
        // Trigger can filter on the branch and every stage works alike.
        foreach (var name in (string[])[WorkflowStages.AlarmExtension, WorkflowStages.OutputItemsExtension, WorkflowStages.ComputeExtension])
        {
            if (invocation.GetExtension(name) is { Length: > 0 } value)
            {
                result = result.WithExtension(name, value);
            }
        }

        return result;
    }

    /// <summary>
    /// Computes for <see cref="StageWork.ComputeTime"/> and emits item i (an equal slice of the state) when its share of
    /// the compute time is done, or as soon as the previous item is staged if that took longer: computing goes on while
    /// results are emitted, as in a pipelined detector. The output becomes visible at the commit after the last item.
    /// </summary>
    private static async Task<long> EmitAsync(FunctionInvocation invocation, StateRef output, ReadOnlyMemory<byte> state, StageWork work, CancellationToken cancellationToken)
    {
        var time = invocation.Time;
        var started = time.GetTimestamp();
        await using var writer = invocation.BeginWrite(output, OutputTimeToLive);
        for (var i = 0; i < work.OutputItems; i++)
        {
            var due = work.ComputeTime * (i + 1) / work.OutputItems;
            var left = due - time.GetElapsedTime(started);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, time, cancellationToken);
            }

            var from = (int)((long)state.Length * i / work.OutputItems);
            var to = (int)((long)state.Length * (i + 1) / work.OutputItems);
            await writer.AppendAsync(WorkflowStages.TileItem(i), state[from..to], cancellationToken);
        }

        return (await writer.CommitAsync(cancellationToken)).Version;
    }

    /// <summary>The input's state: its one <see cref="WorkflowStages.StateItem"/>, or the tiles a pipelined stage emitted, in order.</summary>
    private static ReadOnlyMemory<byte> InputState(StateRef input, Bundle bundle)
    {
        if (bundle.Items.TryGetValue(WorkflowStages.StateItem, out var state))
        {
            return state;
        }

        var tiles = bundle.Items.Where(item => item.Key.StartsWith(WorkflowStages.TileItemPrefix, StringComparison.Ordinal))
            .OrderBy(item => item.Key, StringComparer.Ordinal)
            .Select(item => item.Value)
            .ToList();
        if (tiles.Count == 0)
        {
            throw new FunctionInputException(
                $"Input bundle '{input}' has no '{WorkflowStages.StateItem}' item and no '{WorkflowStages.TileItemPrefix}*' items; it has: {string.Join(", ", bundle.Items.Keys.Order(StringComparer.Ordinal))}.");
        }

        var joined = new byte[tiles.Sum(t => t.Length)];
        var at = 0;
        foreach (var tile in tiles)
        {
            tile.Span.CopyTo(joined.AsSpan(at));
            at += tile.Length;
        }

        return joined;
    }
}

/// <summary>The <c>result</c> of a stage's reply.</summary>
public sealed record StageSummary(long StateBytes, long OutputVersion);
