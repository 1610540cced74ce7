namespace Skylark.Events.State;

/// <summary>Counts since start. <see cref="Failed"/> counts reads that ended in <see cref="StateUnavailableException"/>.</summary>
public sealed record StateReadMetricsSnapshot(long Local, long Waited, long Remote, long NotFound, long Failed)
{
    public long Found => Local + Waited + Remote;
}
