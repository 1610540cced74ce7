using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>One Trigger filter dialect. An event is delivered unless the trigger's filter answers <see cref="FilterResult.Fail"/>.</summary>
public interface IEventFilter
{
    FilterResult Filter(CloudEvent cloudEvent);
}
