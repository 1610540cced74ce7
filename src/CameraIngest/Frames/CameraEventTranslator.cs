using System.Globalization;
using System.Net.Mime;
using System.Security.Cryptography;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.CameraIngest.Frames;

/// <summary>
/// Turns one camera message into the event for the broker. A frame (raw JPEG, or a CloudEvent whose data is a JPEG)
/// is stored as the bundle <see cref="CameraFrameBundle.Name"/> on this node and announced by
/// <c>io.skylark.camera.frame</c> carrying its StateRef (claim check). A camera CloudEvent of any other type is refused.
/// </summary>
/// <remarks>
/// A frame the node's Redis cannot store now is held (<see cref="DependencyHold"/>) and written again to the same
/// StateRef until it is stored: the frame keeps its seq and workflow, and a write that reached Redis before its
/// answer was lost is overwritten rather than left as a second bundle.
/// </remarks>
internal sealed class CameraEventTranslator(BundleStore store, CameraIngestOptions options, CameraSequences sequences, DependencyHold hold)
{
    /// <returns>The <c>io.skylark.camera.frame</c> announcing the stored frame.</returns>
    /// <exception cref="CameraMessageRejectedException">The message is not a valid frame or event; the message says why.</exception>
    public async Task<CloudEvent> TranslateAsync(CameraMessage message, CancellationToken cancellationToken)
    {
        if (message.Payload is null)
        {
            throw new CameraMessageRejectedException(
                $"payload of {message.PayloadLength} bytes is over the limit (frames up to {options.MaxFrameBytes} bytes); payload not kept");
        }

        var camera = message.Camera ?? throw new CameraMessageRejectedException($"topic '{message.Topic}' names no camera");
        if (!StateRef.IsValidSegment(camera))
        {
            throw new CameraMessageRejectedException($"camera id '{camera}' must match {StateRef.SegmentPattern}: it names workflows and event sources");
        }

        if (message.Kind == CameraMessageKind.RawFrame)
        {
            // The seq was assigned in arrival order when the message was received; parsing again reports a bad one.
            _ = ParseSeq(message.UserProperty(CameraTopics.SeqProperty), "user property");
            var seq = message.Seq ?? sequences.Next(camera, null);
            var capturedAt = ParseCapturedAt(message.UserProperty(CameraTopics.CapturedAtProperty)) ?? message.ReceivedAt;
            return await IngestFrameAsync(message.Topic, camera, message.Payload, seq, capturedAt, cancellationToken).ConfigureAwait(false);
        }

        CloudEvent cameraEvent;
        try
        {
            cameraEvent = CloudEventsMqttBinding.ToCloudEvent(message.Payload, message.ContentType, message.UserProperties, RawDataJsonEventFormatter.Instance);
        }
        catch (InvalidMqttCloudEventException error)
        {
            throw new CameraMessageRejectedException($"invalid CloudEvent: {error.Message}", error);
        }

        var named = cameraEvent[ExtensionNames.Camera]?.ToString();
        if (named is not null && named != camera)
        {
            throw new CameraMessageRejectedException($"CloudEvent names camera '{named}' but was published for camera '{camera}'");
        }

        // A camera is the edge of the system: were any type let through, a camera (or whoever holds its credentials)
        // could speak for the pipeline itself, e.g. inject io.skylark.state.propagate or forge a function's completion.
        if (cameraEvent.Type != EventTypes.CameraFrame)
        {
            throw new CameraMessageRejectedException(
                $"CloudEvent type '{cameraEvent.Type}' is not accepted from a camera; '{message.Topic}' takes only {EventTypes.CameraFrame}");
        }

        if (!IsJpeg(cameraEvent.DataContentType) || cameraEvent.Data is not byte[] jpeg)
        {
            // Without pixels there is nothing to claim-check: downstream functions would find no bundle behind statekey.
            throw new CameraMessageRejectedException(
                $"{EventTypes.CameraFrame} from a camera must carry the frame as image/jpeg data; the bridge stores it and sets {ExtensionNames.StateKey}");
        }

        if (jpeg.Length > options.MaxFrameBytes)
        {
            throw new CameraMessageRejectedException($"frame of {jpeg.Length} bytes is over the limit of {options.MaxFrameBytes} bytes");
        }

        var eventSeq = sequences.Next(camera, ParseSeq(cameraEvent[CameraTopics.SeqProperty]?.ToString(), "extension"));
        return await IngestFrameAsync(message.Topic, camera, jpeg, eventSeq, cameraEvent.Time ?? message.ReceivedAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The frame number <paramref name="value"/> gives, or null when there is none or it is not a number.</summary>
    public static long? TryParseSeq(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;

    /// <exception cref="OperationCanceledException">Stopping while the frame was held.</exception>
    private async Task<CloudEvent> IngestFrameAsync(string topic, string camera, byte[] jpeg, long seq, DateTimeOffset capturedAt, CancellationToken cancellationToken)
    {
        if (!JpegHeader.TryRead(jpeg, out var header, out var problem))
        {
            throw new CameraMessageRejectedException($"frame is {problem}");
        }

        var frame = new CameraFrame(camera, seq, header.Width, header.Height, capturedAt);
        var frameJson = JsonSerializer.SerializeToUtf8Bytes(frame, ContractJson.Options);
        var stateRef = new StateRef(store.Node, NewWorkflowId(camera, seq), CameraFrameBundle.Name);
        var items = BundleItems.CreateBuilder()
            .Add(CameraFrameBundle.ImageItem, jpeg)
            .Add(CameraFrameBundle.ContentTypeItem, CameraFrameBundle.JpegContentType)
            .Add(CameraFrameBundle.FrameItem, frameJson)
            .Build();
        await hold.RunAsync(Dependency.Redis, topic, async ct =>
        {
            try
            {
                await store.WriteAsync(stateRef, items, options.FrameTimeToLive, ct).ConfigureAwait(false);
                return null;
            }
            catch (BundleTooLargeException error)
            {
                throw new CameraMessageRejectedException($"frame does not fit a bundle: {error.Message}", error);
            }
            catch (Exception error) when (error is StateException or RedisException or TimeoutException)
            {
                // RedisTimeoutException is a TimeoutException, not a RedisException.
                return $"could not store the frame on node '{store.Node}': {error.Message}";
            }
        }, cancellationToken).ConfigureAwait(false);

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = Guid.NewGuid().ToString(),
            Source = EventSources.Camera(camera),
            Type = EventTypes.CameraFrame,
            Time = capturedAt,
            DataContentType = MediaTypeNames.Application.Json,
            Data = frameJson,
        };
        cloudEvent[ExtensionNames.WorkflowId] = stateRef.WorkflowId;
        cloudEvent[ExtensionNames.Camera] = camera;
        cloudEvent[ExtensionNames.StateKey] = stateRef.ToString();
        cloudEvent[ExtensionNames.StateNode] = stateRef.Node;
        return cloudEvent;
    }

    /// <summary>
    /// A new workflow per frame, readable in logs (<c>{camera}-{seq}-{random}</c>). The random part keeps ids unique when
    /// a camera restarts its numbering; a camera id too long for that gets a plain random id.
    /// </summary>
    private static string NewWorkflowId(string camera, long seq)
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var readable = string.Create(CultureInfo.InvariantCulture, $"{camera}-{seq}-{suffix}");
        return readable.Length <= StateRef.MaxSegmentLength ? readable : Guid.NewGuid().ToString("N");
    }

    private static long? ParseSeq(string? value, string where)
    {
        if (value is null)
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? seq
            : throw new CameraMessageRejectedException($"{where} '{CameraTopics.SeqProperty}' is '{value}', not a non-negative integer");
    }

    private static DateTimeOffset? ParseCapturedAt(string? value)
    {
        if (value is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var capturedAt)
            ? capturedAt
            : throw new CameraMessageRejectedException($"user property '{CameraTopics.CapturedAtProperty}' is '{value}', not an RFC 3339 time");
    }

    private static bool IsJpeg(string? contentType) =>
        contentType is not null
        && contentType.Split(';', 2)[0].Trim().Equals(CameraFrameBundle.JpegContentType, StringComparison.OrdinalIgnoreCase);
}
