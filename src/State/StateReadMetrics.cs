using System.Diagnostics.Metrics;
using Skylark.Events.Hosting;

namespace Skylark.Events.State;

/// <summary>
/// How this node's reads were served (<c>skylark.state.reads</c> by <c>source</c>: local, waited, remote, not_found,
/// failed): the numbers that show whether propagation put state in place in time.
/// </summary>
public sealed class StateReadMetrics : ServiceMeter
{
    public const string MeterName = "Skylark.Events.State";

    private const string Reads = "skylark.state.reads";
    private const string Source = "source";

    private readonly Counter<long> _reads;

    public StateReadMetrics(IMeterFactory? meterFactory = null)
        : base(MeterName, meterFactory)
    {
        _reads = Meter.CreateCounter<long>(Reads, "{read}", "Bundle reads by functions on this node, by where they were served from (local, waited for an in-flight pull, pulled remote) or not_found / failed.");
    }

    public void Record(StateReadSource source) => Read(source switch
    {
        StateReadSource.Local => "local",
        StateReadSource.Waited => "waited",
        StateReadSource.Remote => "remote",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    });

    public void RecordNotFound() => Read("not_found");

    public void RecordFailed() => Read("failed");

    public StateReadMetricsSnapshot Snapshot() => new(
        Totals.Sum(Reads, (Source, "local")),
        Totals.Sum(Reads, (Source, "waited")),
        Totals.Sum(Reads, (Source, "remote")),
        Totals.Sum(Reads, (Source, "not_found")),
        Totals.Sum(Reads, (Source, "failed")));

    private void Read(string source) => _reads.Add(1, new KeyValuePair<string, object?>(Source, source));
}
