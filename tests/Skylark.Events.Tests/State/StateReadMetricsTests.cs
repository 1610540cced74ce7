using Skylark.Events.State;

namespace Skylark.Events.Tests.State;

public class StateReadMetricsTests
{
    [Fact]
    public async Task Counts_recorded_from_many_threads_add_up_in_a_snapshot()
    {
        var metrics = new StateReadMetrics();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                metrics.Record(StateReadSource.Local);
                metrics.Record(StateReadSource.Waited);
                metrics.Record(StateReadSource.Remote);
                metrics.RecordNotFound();
                metrics.RecordFailed();
            }
        })));

        Assert.Equal(new StateReadMetricsSnapshot(4000, 4000, 4000, 4000, 4000), metrics.Snapshot());
        Assert.Equal(12000, metrics.Snapshot().Found);
    }
}
