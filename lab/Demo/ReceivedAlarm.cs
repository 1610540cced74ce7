using System.Text.Json;
using Skylark.Events.Functions.Alarm.Mqtt;

namespace Skylark.Events.Lab.Demo;

/// <summary>
/// An alarm as an operator's subscriber sees it on <c>alarms/&lt;camera&gt;</c>: what the notice's JSON says (camera,
/// frame number, zones, how many boxes), read leniently, since anything may publish there on an open broker.
/// </summary>
/// <param name="Topic">The topic it arrived on.</param>
/// <param name="Camera">The notice's camera, else the topic's last level.</param>
/// <param name="Seq">The camera's frame number, when the notice has one.</param>
/// <param name="Zones">The zones that raised, when the notice lists them.</param>
/// <param name="Boxes">How many detections the notice carries.</param>
public sealed record ReceivedAlarm(string Topic, string Camera, long? Seq, IReadOnlyList<string> Zones, int Boxes)
{
    /// <summary>Reads the notice JSON the alarm function publishes (<see cref="MqttAlarmPublisher"/>); a payload that is not one still counts as an alarm on its topic.</summary>
    public static ReceivedAlarm Parse(string topic, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var topicCamera = topic.StartsWith(MqttAlarmPublisher.TopicPrefix + "/", StringComparison.Ordinal)
            ? topic[(MqttAlarmPublisher.TopicPrefix.Length + 1)..]
            : topic;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ReceivedAlarm(topic, topicCamera, null, [], 0);
            }

            var camera = root.TryGetProperty("camera", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : topicCamera;
            long? seq = root.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var n) ? n : null;
            IReadOnlyList<string> zones = root.TryGetProperty("zones", out var z) && z.ValueKind == JsonValueKind.Array
                ? [.. z.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
                : [];
            var boxes = root.TryGetProperty("boxes", out var b) && b.ValueKind == JsonValueKind.Array ? b.GetArrayLength() : 0;
            return new ReceivedAlarm(topic, camera, seq, zones, boxes);
        }
        catch (JsonException)
        {
            return new ReceivedAlarm(topic, topicCamera, null, [], 0);
        }
    }
}
