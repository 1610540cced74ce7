using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;

namespace Skylark.Events.Broker.Journal;

/// <summary>
/// One event as the journal recorded it: its attributes (as accepted, <c>knativearrivaltime</c> included), its data
/// as the exact bytes subscribers receive, the broker it entered and the Triggers it was queued for.
/// </summary>
public sealed class JournalEvent
{
    internal JournalEvent(long sequence, DateTimeOffset appendedAt, string broker, int ttl, IReadOnlyList<string> triggers, ReadOnlyMemory<byte> attributes, ReadOnlyMemory<byte> data)
    {
        Sequence = sequence;
        AppendedAt = appendedAt;
        Broker = broker;
        Ttl = ttl;
        Triggers = triggers;
        Attributes = attributes;
        Data = data;
    }

    /// <summary>Position in the journal: 1, 2, 3… in the order events were made durable.</summary>
    public long Sequence { get; }

    public DateTimeOffset AppendedAt { get; }

    /// <summary><c>namespace/name</c> of the broker the event entered.</summary>
    public string Broker { get; }

    /// <summary>The broker TTL after this pass through the ingress (a reply carries it back).</summary>
    public int Ttl { get; }

    /// <summary><c>namespace/name</c> of every Trigger the event was queued for.</summary>
    public IReadOnlyList<string> Triggers { get; }

    /// <summary>The attributes as a structured-mode JSON object without data.</summary>
    public ReadOnlyMemory<byte> Attributes { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The event again: its attributes, and its data as bytes (as a binary-mode request would carry them).</summary>
    /// <exception cref="FormatException">The recorded attributes are not a CloudEvent (a record damaged past its checksum).</exception>
    public CloudEvent ToCloudEvent()
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = RawDataJsonEventFormatter.Instance.DecodeStructuredModeMessage(Attributes, contentType: null, extensionAttributes: null);
        }
        catch (Exception e) when (e is ArgumentException or JsonException or InvalidOperationException)
        {
            // The formatter's own failures for JSON that is not an event (ArgumentException), not JSON (JsonException)
            // or not UTF-8 (InvalidOperationException): one type for callers that read a journal they did not write.
            throw new FormatException($"Journal event {Sequence} does not hold a valid CloudEvent: {e.Message}", e);
        }

        cloudEvent.Data = Data.IsEmpty ? null : Data.ToArray();
        return cloudEvent;
    }
}
