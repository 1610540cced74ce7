namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>One detected object: its box and how many pixels inside it changed (or the box area for people detections).</summary>
public sealed record Detection(BoundingBox Box, double Area);
