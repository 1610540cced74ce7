using CloudNative.CloudEvents;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>
/// One accepted event waiting for one Trigger. The same <see cref="CloudEvent"/> instance is shared by every
/// matching Trigger, so nothing downstream of the ingress may mutate it. <c>Ttl</c> is the broker TTL after this
/// pass through the ingress; a reply carries it back. <c>Sequence</c> is the event's journal record (0: no journal).
/// <c>QueuedAt</c> is the <see cref="TimeProvider"/> timestamp it was queued at (0: not known, e.g. recovered from
/// the journal), for <c>kn.eventing.process.duration</c>.
/// </summary>
internal sealed record DeliveryItem(CloudEvent Event, int Ttl, long Sequence = 0, long QueuedAt = 0);
