using System.Collections.Concurrent;

namespace Skylark.Events.CameraIngest.Frames;

/// <summary>
/// Per-camera frame numbers for cameras that do not number their frames. A camera that does (user property or
/// extension <c>seq</c>) moves its counter along, so mixing both never goes backwards.
/// </summary>
internal sealed class CameraSequences
{
    // Cameras come and go; past this many the counters restart rather than grow without bound
    // (workflow ids stay unique regardless, see CameraEventTranslator.NewWorkflowId).
    private const int MaxCameras = 4096;

    private readonly ConcurrentDictionary<string, StrongBox> _next = new(StringComparer.Ordinal);

    public long Next(string camera, long? given)
    {
        if (_next.Count >= MaxCameras && !_next.ContainsKey(camera))
        {
            _next.Clear();
        }

        var box = _next.GetOrAdd(camera, _ => new StrongBox());
        lock (box)
        {
            var seq = given ?? box.Value;
            box.Value = Math.Max(box.Value, seq + 1);
            return seq;
        }
    }

    private sealed class StrongBox
    {
        public long Value { get; set; }
    }
}
