namespace Skylark.Events.State;

/// <summary>How this node's reads were served; the numbers that show whether propagation put state in place in time.</summary>
public sealed class StateReadMetrics
{
    private long _local;
    private long _waited;
    private long _remote;
    private long _notFound;
    private long _failed;

    public void Record(StateReadSource source)
    {
        switch (source)
        {
            case StateReadSource.Local:
                Interlocked.Increment(ref _local);
                break;
            case StateReadSource.Waited:
                Interlocked.Increment(ref _waited);
                break;
            case StateReadSource.Remote:
                Interlocked.Increment(ref _remote);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, null);
        }
    }

    public void RecordNotFound() => Interlocked.Increment(ref _notFound);

    public void RecordFailed() => Interlocked.Increment(ref _failed);

    public StateReadMetricsSnapshot Snapshot() => new(
        Interlocked.Read(ref _local),
        Interlocked.Read(ref _waited),
        Interlocked.Read(ref _remote),
        Interlocked.Read(ref _notFound),
        Interlocked.Read(ref _failed));
}
