using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Dispatch;

/// <summary>A Broker with the Triggers bound to it.</summary>
internal sealed record BrokerRoute(BrokerResource Resource, IReadOnlyList<TriggerRoute> Triggers)
{
    /// <summary><c>namespace/name</c>, for logs and metrics.</summary>
    public string Name { get; } = $"{Resource.Meta.Namespace}/{Resource.Meta.Name}";
}
