using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;

namespace Skylark.Events.Tests.Functions;

/// <summary>Events as cameras and functions send them (docs/contracts.md), with the option to leave extensions out.</summary>
internal static class FunctionEvents
{
    public static CloudEvent CameraFrame(string camera, string workflowId, StateRef frame, long seq = 0, params string[] without)
    {
        var cloudEvent = New(EventTypes.CameraFrame, EventSources.Camera(camera), new CameraFrame(camera, seq, 640, 480, DateTimeOffset.UnixEpoch.AddSeconds(seq)));
        Set(cloudEvent, without, ExtensionNames.WorkflowId, workflowId);
        Set(cloudEvent, without, ExtensionNames.Camera, camera);
        Set(cloudEvent, without, ExtensionNames.StateKey, frame.ToString());
        Set(cloudEvent, without, ExtensionNames.StateNode, frame.Node);
        return cloudEvent;
    }

    /// <summary>A completion as detect replies it (for driving the alarm without running detect).</summary>
    public static CloudEvent DetectCompleted(string camera, string workflowId, StateRef result, bool detected, params string[] without)
    {
        var cloudEvent = New(EventTypes.FunctionCompleted, EventSources.Function("detect"), new { });
        Set(cloudEvent, without, ExtensionNames.WorkflowId, workflowId);
        Set(cloudEvent, without, ExtensionNames.Function, "detect");
        Set(cloudEvent, without, ExtensionNames.Node, result.Node);
        Set(cloudEvent, without, ExtensionNames.Camera, camera);
        Set(cloudEvent, without, ExtensionNames.StateKey, result.ToString());
        Set(cloudEvent, without, ExtensionNames.StateNode, result.Node);
        Set(cloudEvent, without, ExtensionNames.Detected, detected ? "true" : "false");
        return cloudEvent;
    }

    private static CloudEvent New(string type, Uri source, object data) => new(CloudEventsSpecVersion.V1_0)
    {
        Id = Guid.NewGuid().ToString("N"),
        Type = type,
        Source = source,
        Time = DateTimeOffset.UnixEpoch,
        DataContentType = "application/json",
        Data = JsonSerializer.SerializeToElement(data, ContractJson.Options),
    };

    private static void Set(CloudEvent cloudEvent, string[] without, string name, string value)
    {
        if (!without.Contains(name))
        {
            cloudEvent[name] = value;
        }
    }
}
