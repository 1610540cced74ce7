using Skylark.Events.Lab.Up;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// The benchmark workflow of issue 7: preprocess@sat → detect@sat → detect@sat → alarm@cloud, played by four state
/// stages that only move state (read the input bundle, write an output bundle of the same size), so the measure is the
/// state path, not the vision code. Each stage is its own function so the bench topology can place them on distinct
/// nodes and the Triggers can chain them by the <c>function</c> extension (bench/eventing/triggers.yaml).
/// </summary>
public static class WorkflowStages
{
    public const string Preprocess = "stage-preprocess";
    public const string Detect1 = "stage-detect-1";
    public const string Detect2 = "stage-detect-2";
    public const string Alarm = "stage-alarm";

    /// <summary>The type of the event that starts a workflow; its <c>statekey</c> is the input bundle.</summary>
    public const string StartedType = "io.skylark.bench.workflow.started";

    /// <summary>The <c>source</c> of start events.</summary>
    public static readonly Uri StartedSource = new("/bench/workflow", UriKind.Relative);

    /// <summary>
    /// Extension every stage copies from its input event to its completion: <c>true</c> when the workflow goes on to
    /// the alarm stage (bench/eventing/triggers.yaml filters on it), <c>false</c> when it ends at the last detect stage.
    /// </summary>
    public const string AlarmExtension = "benchalarm";

    /// <summary>
    /// Extension every stage copies from its input event to its completion: how many items the stage emits its output
    /// as (<see cref="StageWork.OutputItems"/>); absent or 0 when it writes its output in one piece.
    /// </summary>
    public const string OutputItemsExtension = "benchitems";

    /// <summary>Extension copied like <see cref="OutputItemsExtension"/>: each stage's compute time in milliseconds (<see cref="StageWork.ComputeTime"/>).</summary>
    public const string ComputeExtension = "benchcomputems";

    /// <summary>The one item of the input bundle and of every stage output written in one piece.</summary>
    public const string StateItem = "state";

    /// <summary>Item <paramref name="index"/> of an output emitted item by item (zero-padded, so the names sort in order).</summary>
    public static string TileItem(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"tile-{index:D4}");

    /// <summary>The prefix of <see cref="TileItem"/> names.</summary>
    public const string TileItemPrefix = "tile-";

    /// <summary>The input bundle of a workflow, written on the first stage's node before the start event.</summary>
    public const string InputBundle = "input.state";

    /// <summary>The stages in workflow order.</summary>
    public static IReadOnlyList<string> InOrder { get; } = [Preprocess, Detect1, Detect2, Alarm];

    /// <summary>The last stage: its completion ends a workflow that goes on to the alarm.</summary>
    public static string Last => InOrder[^1];

    /// <summary>The stage whose completion ends a workflow: the alarm, or the last detect stage when the workflow does not alarm.</summary>
    public static string LastFor(bool alarm) => alarm ? Alarm : Detect2;

    /// <summary>The output bundle of a stage.</summary>
    public static string OutputBundle(string stage) => $"{stage}.state";

    /// <summary>The catalog <c>skylark up</c> hosts them from (a topology's <c>functions</c> lists pick by name).</summary>
    public static IReadOnlyList<HostedFunction> Hosted { get; } =
        [.. InOrder.Select(stage => new HostedFunction(
            stage,
            services => services.AddStateStageFunction(stage),
            (app, path) => app.MapStateStageFunction(stage, path)))];
}
