using Skylark.Events.Lab.Cameras;

namespace Skylark.Events.Tests.Lab.Cameras;

public class CameraSimulatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly SyntheticScene scene = new(5, new SyntheticSceneOptions(width: 160, height: 120));
    private readonly ManualTimeProvider time = new(Start);

    [Fact]
    public async Task Captures_one_frame_per_period_of_the_time_provider()
    {
        var camera = new CameraSimulator("cam-1", scene, framesPerSecond: 10, time);
        await using var frames = camera.StreamAsync(maxFrames: 3).GetAsyncEnumerator();

        Assert.True(await frames.MoveNextAsync());
        Assert.Equal((0L, Start), (frames.Current.Seq, frames.Current.CapturedAt));

        var next = frames.MoveNextAsync();
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await next.AsTask().WaitAsync(Timeout));
        Assert.Equal((1L, Start.AddMilliseconds(100)), (frames.Current.Seq, frames.Current.CapturedAt));

        next = frames.MoveNextAsync();
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(await next.AsTask().WaitAsync(Timeout));
        Assert.Equal(2L, frames.Current.Seq);

        Assert.False(await frames.MoveNextAsync()); // maxFrames reached
    }

    [Fact]
    public async Task Frames_carry_the_scene_and_announce_themselves_as_camera_frame_payloads()
    {
        var camera = new CameraSimulator("gate.north", scene, framesPerSecond: 25, time);
        await using var frames = camera.StreamAsync(maxFrames: 1).GetAsyncEnumerator();

        Assert.True(await frames.MoveNextAsync());
        var frame = frames.Current;
        var rendered = scene.RenderFrame(0);

        Assert.Equal(rendered.Jpeg.ToArray(), frame.Jpeg.ToArray());
        Assert.Equal(rendered.Truth.Boxes, frame.Truth.Boxes);
        var payload = frame.ToCameraFrame();
        Assert.Equal(("gate.north", 0L, 160, 120, Start), (payload.Camera, payload.Seq, payload.Width, payload.Height, payload.CapturedAt));
    }

    [Fact]
    public async Task A_consumer_that_falls_behind_misses_frames_like_a_real_camera()
    {
        var camera = new CameraSimulator("cam-1", scene, framesPerSecond: 10, time);
        await using var frames = camera.StreamAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());

        time.Advance(TimeSpan.FromMilliseconds(350)); // frames 1 and 2 were due while nobody was asking

        Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal((3L, Start.AddMilliseconds(300)), (frames.Current.Seq, frames.Current.CapturedAt));
    }

    [Fact]
    public async Task Cancellation_ends_a_waiting_stream()
    {
        var camera = new CameraSimulator("cam-1", scene, framesPerSecond: 1, time);
        using var cancellation = new CancellationTokenSource();
        await using var frames = camera.StreamAsync(cancellationToken: cancellation.Token).GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());

        var next = frames.MoveNextAsync().AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Timeout));
    }

    [Theory]
    [InlineData("", 10)]
    [InlineData("cam/1", 10)]
    [InlineData(".hidden", 10)]
    [InlineData("cam-1", 0)]
    [InlineData("cam-1", double.NaN)]
    [InlineData("cam-1", 5000)]
    public void Rejects_invalid_camera_ids_and_frame_rates(string camera, double fps)
    {
        Assert.ThrowsAny<ArgumentException>(() => new CameraSimulator(camera, scene, fps, time));
    }
}
