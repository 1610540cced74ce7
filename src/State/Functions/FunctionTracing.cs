using System.Diagnostics;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;

namespace Skylark.Events.State.Functions;

/// <summary>
/// A function's spans: its handling of a delivery (a child of the delivery's context, which its reply carries on)
/// and, under it, one span per state read, tagged <c>skylark.read</c> with where the read was answered.
/// </summary>
internal static class FunctionTracing
{
    public const string SourceName = CloudEventTracing.SourcePrefix + "Functions";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartHandling(string function, string node, CloudEvent incoming)
    {
        // Checked before the span's name is built: untraced deliveries allocate nothing here.
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = CloudEventTracing.StartActivity(Source, $"{function} process", ActivityKind.Consumer, incoming, node);
        activity?.SetTag(CloudEventTracing.FunctionTag, function)
            .SetTag(CloudEventTracing.MessagingOperationTag, "process");
        return activity;
    }

    /// <summary>A read measured by its caller; nothing when the handling is not traced.</summary>
    public static void Read(Activity? handling, StateRef stateRef, string source, DateTimeOffset start, TimeSpan duration)
    {
        if (handling is null)
        {
            return;
        }

        CloudEventTracing.RecordChild(Source, handling, $"read {stateRef.Bundle}", start, duration,
        [
            new(CloudEventTracing.ReadTag, source),
            new(CloudEventTracing.BundleTag, stateRef.ToString()),
            new(CloudEventTracing.FunctionTag, handling.GetTagItem(CloudEventTracing.FunctionTag)),
        ]);
    }
}
