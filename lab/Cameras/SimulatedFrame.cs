using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Lab.Cameras;

/// <summary>A frame a simulated camera captured, with when it was captured and what was really in it.</summary>
public sealed record SimulatedFrame(string Camera, long Seq, DateTimeOffset CapturedAt, int Width, int Height, ReadOnlyMemory<byte> Jpeg, GroundTruth Truth)
{
    /// <summary>The <c>io.skylark.camera.frame</c> payload announcing this frame.</summary>
    public CameraFrame ToCameraFrame() => new(Camera, Seq, Width, Height, CapturedAt);
}
