using System.Text.Json;
using Skylark.Events.Lab.Cameras;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// A recorded camera stream: one JSON object per line with the frame's camera, seq, capture time, size and the JPEG
/// bytes (base64), exactly as a camera published them. Replaying the file republishes the same bytes.
/// </summary>
public static class FrameRecording
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task WriteAsync(string path, IEnumerable<SimulatedFrame> frames)
    {
        await using var writer = new StreamWriter(path);
        foreach (var frame in frames)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(
                new RecordedFrame(frame.Camera, frame.Seq, frame.CapturedAt, frame.Width, frame.Height, frame.Jpeg.ToArray()), Json));
        }
    }

    public static async Task<IReadOnlyList<RecordedFrame>> ReadAsync(string path)
    {
        var frames = new List<RecordedFrame>();
        foreach (var line in await File.ReadAllLinesAsync(path))
        {
            frames.Add(JsonSerializer.Deserialize<RecordedFrame>(line, Json) ?? throw new InvalidDataException($"{path}: empty line"));
        }

        return frames;
    }
}

public sealed record RecordedFrame(string Camera, long Seq, DateTimeOffset CapturedAt, int Width, int Height, byte[] Jpeg)
{
    /// <summary>The frame as camera <paramref name="camera"/> would publish it (no ground truth: a recording has none).</summary>
    public SimulatedFrame As(string camera) => new(camera, Seq, CapturedAt, Width, Height, Jpeg, new GroundTruth(Seq, []));
}
