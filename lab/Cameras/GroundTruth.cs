using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Lab.Cameras;

/// <summary>Where the objects really are in frame <see cref="Seq"/>, in the camera frame's pixel coordinates.</summary>
public sealed record GroundTruth(long Seq, IReadOnlyList<BoundingBox> Boxes);
