
using Skylark.Events.CameraIngest.Mqtt;
namespace Skylark.Events.Tests.CameraIngest.Mqtt;

public class CameraTopicsTests
{
    [Theory]
    [InlineData("cameras/+/frames", "cameras/cam-1/frames", true, "cam-1")]
    [InlineData("cameras/+/frames", "cameras/cam-1/events", false, "")]
    [InlineData("cameras/+/frames", "cameras/cam-1/frames/extra", false, "")]
    [InlineData("cameras/+/frames", "cameras/frames", false, "")]
    [InlineData("site/+/cameras/+/jpeg", "site/north/cameras/c7/jpeg", true, "north")]
    [InlineData("cams/+/#", "cams/c9/raw/high", true, "c9")]
    public void A_filter_matches_topics_level_by_level_and_yields_the_first_wildcard_level(string filter, string topic, bool matches, string level)
    {
        Assert.Equal(matches, CameraTopics.TryMatch(filter, topic, out var captured));
        Assert.Equal(level, captured);
    }

    [Fact]
    public void Builds_the_topic_layout_from_a_camera_id()
    {
        Assert.Equal("cameras/cam-1/frames", CameraTopics.Frames("cam-1"));
        Assert.Equal("cameras/cam-1/events", CameraTopics.Events("cam-1"));
        Assert.Equal("skylark/deadletter/cam-1", CameraTopics.DeadLetter("cam-1"));
        Assert.Equal("alarms/cam-1", CameraTopics.Alarms("cam-1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("cam#1")]
    public void A_camera_id_that_cannot_be_one_topic_level_is_refused(string camera)
    {
        Assert.Throws<ArgumentException>(() => CameraTopics.Frames(camera));
    }

    [Theory]
    [InlineData("cameras/frames", "no '+' level")]
    [InlineData("cameras/#/frames", "'#' must be the last level")]
    [InlineData("cameras/cam+/frames", "a wildcard must take a whole level")]
    [InlineData("", "is empty")]
    public void A_subscription_filter_must_have_a_camera_level(string filter, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => CameraTopics.EnsureCameraFilter(filter, "FramesTopic"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
