using Skylark.Events.Contracts;

namespace Skylark.Events.State.Functions;

/// <summary>
/// The data of a function's reply: where it ran, what state it read (and from where: <c>local</c>, <c>waited</c>,
/// <c>remote</c>, or <c>absent</c> for an optional bundle that does not exist), what it wrote, how long it took, and the
/// function-specific <see cref="Result"/>. The read sources are the measure of whether state was where the function ran.
/// </summary>
public sealed record FunctionReport(
    string Function,
    string Node,
    string WorkflowId,
    StateRef Output,
    IReadOnlyList<StateReadReport> Reads,
    IReadOnlyList<StateWriteReport> Writes,
    double DurationMs,
    object? Result);

/// <param name="Ref">The bundle asked for.</param>
/// <param name="Source">See <see cref="StateReadReport.SourceName"/>.</param>
/// <param name="Version">The version read; null when absent.</param>
/// <param name="Bytes">Size of the bundle read; 0 when absent.</param>
/// <param name="DurationMs">Time of the read call that fetched it (a fused read reports its one duration for every bundle).</param>
public sealed record StateReadReport(StateRef Ref, string Source, long? Version, long Bytes, double DurationMs)
{
    public const string Absent = "absent";

    /// <summary><c>local</c>, <c>waited</c> or <c>remote</c>.</summary>
    public static string SourceName(StateReadSource source) => source switch
    {
        StateReadSource.Local => "local",
        StateReadSource.Waited => "waited",
        StateReadSource.Remote => "remote",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}

public sealed record StateWriteReport(StateRef Ref, long Version, long Bytes);
