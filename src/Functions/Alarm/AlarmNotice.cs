using System.Text.Json.Serialization;
using Skylark.Events.Contracts;

namespace Skylark.Events.Functions.Alarm;

/// <summary>An alarm raised for <see cref="Camera"/>: what was seen where, and the detect result that is its evidence.</summary>
/// <param name="Camera">The camera.</param>
/// <param name="WorkflowId">The frame's workflow, whose detection completed the debounce.</param>
/// <param name="Seq">The camera's frame number, when known.</param>
/// <param name="Zones">The zones that raised (grid cells <c>r{row}c{col}</c>), sorted.</param>
/// <param name="Boxes">The detections inside those zones, in the preprocessed frame's pixels.</param>
/// <param name="FrameWidth">Width of the frame the boxes refer to.</param>
/// <param name="FrameHeight">Height of the frame the boxes refer to.</param>
/// <param name="RaisedAt">When the alarm function raised it.</param>
/// <param name="Node">The node the alarm function ran on.</param>
/// <param name="Evidence">The <c>detect.result</c> bundle of that frame.</param>
public sealed record AlarmNotice(
    string Camera,
    string WorkflowId,
    long? Seq,
    IReadOnlyList<string> Zones,
    IReadOnlyList<DetectedBox> Boxes,
    int FrameWidth,
    int FrameHeight,
    DateTimeOffset RaisedAt,
    string Node,
    StateRef Evidence)
{
    /// <summary>
    /// The part of the frame around the detections (JPEG; base64 in JSON), from the evidence's <c>crop</c> item: sent
    /// to operators with the published notice, not kept in the history or the reply.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public byte[]? Snapshot { get; init; }
}
