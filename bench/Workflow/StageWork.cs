using System.Globalization;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// What a benchmark stage does between reading its input and completing. <see cref="None"/>: it writes its output at
/// once, in one piece (every scenario but <c>pipelined</c>). Otherwise it computes for <see cref="ComputeTime"/> and
/// emits its output as <see cref="OutputItems"/> items of equal size as it goes, one after each
/// <see cref="ComputeTime"/> / <see cref="OutputItems"/>, like a detector emitting its per-tile results, then commits.
/// The computing is a wait (it stands for work on an accelerator): the two cores the emulated clusters share must not
/// become the thing measured.
/// </summary>
public sealed record StageWork
{
    /// <summary>Most items a stage may emit its output as.</summary>
    public const int MaxOutputItems = 1024;

    /// <summary>Longest compute time a stage accepts.</summary>
    public static readonly TimeSpan MaxComputeTime = TimeSpan.FromMinutes(5);

    public StageWork(int outputItems, TimeSpan computeTime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outputItems);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputItems, MaxOutputItems);
        ArgumentOutOfRangeException.ThrowIfLessThan(computeTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(computeTime, MaxComputeTime);
        if (outputItems == 0 && computeTime > TimeSpan.Zero)
        {
            throw new ArgumentException("A stage that computes emits its output as at least one item.", nameof(outputItems));
        }

        OutputItems = outputItems;
        ComputeTime = TimeSpan.FromMilliseconds(Math.Round(computeTime.TotalMilliseconds));
    }

    public static StageWork None { get; } = new(0, TimeSpan.Zero);

    /// <summary>How many items each stage emits its output as; 0 when it writes it in one piece.</summary>
    public int OutputItems { get; }

    /// <summary>Each stage's compute time, whole milliseconds.</summary>
    public TimeSpan ComputeTime { get; }

    public bool IsPipelined => OutputItems > 0;

    /// <summary>The extensions the start event carries, which every stage copies to its completion (none for <see cref="None"/>).</summary>
    public IEnumerable<KeyValuePair<string, string>> Extensions() => IsPipelined
        ?
        [
            new(WorkflowStages.OutputItemsExtension, OutputItems.ToString(CultureInfo.InvariantCulture)),
            new(WorkflowStages.ComputeExtension, ((long)ComputeTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)),
        ]
        : [];

    /// <summary>Reads the extensions back (null values: absent); <see cref="None"/> when there are none.</summary>
    /// <exception cref="FormatException">They are malformed or out of range, with why.</exception>
    public static StageWork Parse(string? outputItems, string? computeMs)
    {
        if (string.IsNullOrEmpty(outputItems) && string.IsNullOrEmpty(computeMs))
        {
            return None;
        }

        if (!int.TryParse(outputItems, NumberStyles.None, CultureInfo.InvariantCulture, out var items) || items is < 1 or > MaxOutputItems)
        {
            throw new FormatException($"Extension '{WorkflowStages.OutputItemsExtension}' must be a whole number from 1 to {MaxOutputItems}; got '{outputItems}'.");
        }

        if (!long.TryParse(computeMs ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds > MaxComputeTime.TotalMilliseconds)
        {
            throw new FormatException(
                $"Extension '{WorkflowStages.ComputeExtension}' must be a whole number of milliseconds from 0 to {MaxComputeTime.TotalMilliseconds}; got '{computeMs}'.");
        }

        return new StageWork(items, TimeSpan.FromMilliseconds(milliseconds));
    }

    public override string ToString() => IsPipelined
        ? string.Create(CultureInfo.InvariantCulture, $"{OutputItems} items over {ComputeTime.TotalMilliseconds:0} ms per stage")
        : "output written in one piece";
}
