using Skylark.Events.State;
using Skylark.Events.State.Functions;

namespace Skylark.Events.Cli.Bench.Workflow;

/// <summary>
/// One stage of the benchmark workflow: reads the bundle the event's <c>statekey</c> names (wherever it is, through
/// <see cref="FunctionInvocation"/>, so the reply reports where the read was served from), writes a bundle of the same
/// size as its own output on its node, and replies <c>io.skylark.function.completed</c> naming that output. A missing
/// input is the event's fault: 422, so the broker dead-letters it instead of retrying.
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
        Bundle bundle;
        try
        {
            bundle = await invocation.ReadAsync(input, cancellationToken);
        }
        catch (StateNotFoundException notFound) when (invocation.IsDefinitelyMissing(notFound))
        {
            throw new FunctionInputException($"Input bundle '{input}' of stage '{invocation.Function}' does not exist. {notFound.Message}", notFound);
        }

        if (!bundle.Items.TryGetValue(WorkflowStages.StateItem, out var state))
        {
            throw new FunctionInputException(
                $"Input bundle '{input}' has no '{WorkflowStages.StateItem}' item; it has: {string.Join(", ", bundle.Items.Keys.Order(StringComparer.Ordinal))}.");
        }

        // The same bytes again: the stage stands for a function whose output is as large as its input, and copying
        // keeps the CPU (which the emulated links share) out of the measure.
        var output = invocation.OutputRef(WorkflowStages.OutputBundle(invocation.Function));
        var written = await invocation.WriteAsync(
            output,
            BundleItems.CreateBuilder().Add(WorkflowStages.StateItem, state).Build(),
            OutputTimeToLive,
            cancellationToken);
        var result = FunctionResult.Completed(output, new StageSummary(state.Length, written.Version));

        // The workflow's branch travels with it, as a detection result would, so the alarm stage's Trigger can filter on it.
        return invocation.GetExtension(WorkflowStages.AlarmExtension) is { Length: > 0 } alarm
            ? result.WithExtension(WorkflowStages.AlarmExtension, alarm)
            : result;
    }
}

/// <summary>The <c>result</c> of a stage's reply.</summary>
public sealed record StageSummary(long StateBytes, long OutputVersion);
