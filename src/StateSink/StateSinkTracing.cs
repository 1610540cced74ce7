using System.Diagnostics;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.StateSink.Propagation;

namespace Skylark.Events.StateSink;

/// <summary>
/// The StateSink's span: one per propagate command (a child of the command's context), with the bundles, the bytes
/// pulled, the source and target node, and <c>skylark.link.wait_ms</c>: how long the fetches spent between sending
/// their request and reading the last byte of the answer. That is the time on the path — its latency both ways and
/// its bandwidth, shared with other traffic — plus the holder's read of its Redis, which is small beside it; the
/// time a fetch waited for a transfer slot or this node's Redis is not in it.
/// </summary>
internal static class StateSinkTracing
{
    public const string SourceName = CloudEventTracing.SourcePrefix + "StateSink";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The ambient pull span, if it is one of ours.</summary>
    public static Activity? Current => Activity.Current is { } current && ReferenceEquals(current.Source, Source) ? current : null;

    public static Activity? StartPull(CloudEvent command, PropagateCommand read, string node)
    {
        var span = CloudEventTracing.StartActivity(Source, "pull", ActivityKind.Consumer, command, node);
        if (span is null)
        {
            return null;
        }

        span.SetTag(CloudEventTracing.TargetNodeTag, node)
            .SetTag(CloudEventTracing.MessagingOperationTag, "process");
        if (read.Bundles.Count > 0)
        {
            span.SetTag(CloudEventTracing.BundleTag, string.Join(',', read.Bundles))
                .SetTag(CloudEventTracing.SourceNodeTag, string.Join(',', read.Bundles.Select(b => b.Node).Distinct(StringComparer.Ordinal)));
        }

        return span;
    }

    public static void AddLinkWait(Activity? span, TimeSpan onTheWire)
    {
        if (span is null)
        {
            return;
        }

        // Fetches from several holders run side by side; each one's time is the path's, so they add up.
        var before = span.GetTagItem(CloudEventTracing.LinkWaitTag) as double? ?? 0;
        span.SetTag(CloudEventTracing.LinkWaitTag, Math.Round(before + onTheWire.TotalMilliseconds, 3));
    }

    public static void Ended(Activity? span, PropagationResult result)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(CloudEventTracing.BytesTag, result.Bytes).SetTag("skylark.outcome", result.Outcome);
        if (result.Error is { } error)
        {
            span.SetStatus(ActivityStatusCode.Error, error);
        }
    }
}
