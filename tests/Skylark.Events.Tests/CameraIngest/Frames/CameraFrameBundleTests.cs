using Skylark.Events.CameraIngest.Frames;

namespace Skylark.Events.Tests.CameraIngest.Frames;

public sealed class CameraFrameBundleTests
{
    [Fact]
    public void The_bridge_stores_the_pixels_under_the_item_preprocess_reads()
    {
        // The two services share no project; this is where their item names are held together.
        Assert.Equal(Skylark.Events.Functions.Preprocess.CameraFrameBundle.ImageItem, CameraFrameBundle.ImageItem);
    }
}
