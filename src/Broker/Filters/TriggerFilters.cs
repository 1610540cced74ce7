using Skylark.Events.Broker.Resources;

namespace Skylark.Events.Broker.Filters;

/// <summary>Builds the one filter a Trigger applies, following Knative's precedence of <c>filters</c> over <c>filter.attributes</c>.</summary>
public static class TriggerFilters
{
    public static IEventFilter Create(TriggerResource trigger) =>
        throw new NotImplementedException("Replaced by the filters work.");
}
