using Skylark.Events.Lab.Dashboard;

namespace Skylark.Events.Tests.Lab.Dashboard;

public sealed class RingBufferTests
{
    [Fact]
    public void Keeps_the_last_items_oldest_first()
    {
        var ring = new RingBuffer<int>(3);
        Assert.Empty(ring.Items());
        foreach (var i in Enumerable.Range(1, 5))
        {
            ring.Add(i);
        }

        Assert.Equal([3, 4, 5], ring.Items());
    }
}
