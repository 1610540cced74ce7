namespace Skylark.Events.Lab.Cameras;

/// <summary>One synthetic camera frame: the JPEG a camera would send and the truth it was drawn from.</summary>
public sealed record RenderedFrame(ReadOnlyMemory<byte> Jpeg, GroundTruth Truth);
