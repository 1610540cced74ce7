using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters;

namespace Skylark.Events.Tests.Eventing.Filters;

/// <summary>Events and filters with known outcomes, so dialect tests read as specifications.</summary>
internal static class FilterTestEvents
{
    public const string FrameType = "io.skylark.camera.frame";
    public const string FrameSource = "https://sat-1.example/camera";

    /// <summary>An event with every required attribute, a subject, and a string extension <c>node</c>=<c>sat-1</c>.</summary>
    public static CloudEvent Frame()
    {
        var cloudEvent = new CloudEvent
        {
            Id = "frame-42",
            Source = new Uri(FrameSource),
            Type = FrameType,
            Subject = "frames/42",
            Time = new DateTimeOffset(2024, 5, 1, 10, 30, 0, TimeSpan.Zero),
            DataContentType = "image/jpeg",
        };
        cloudEvent["node"] = "sat-1";
        return cloudEvent;
    }

    public static IEventFilter Passing() => new ExactFilter(new Dictionary<string, string> { ["type"] = FrameType });

    public static IEventFilter Failing() => new ExactFilter(new Dictionary<string, string> { ["type"] = "io.skylark.other" });

    public static IEventFilter Testing_nothing() => EmptyFilter.Instance;

    public static Dictionary<string, string> Map(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}
