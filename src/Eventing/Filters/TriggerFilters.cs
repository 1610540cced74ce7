using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Eventing.Filters;

/// <summary>Builds the one filter a Trigger applies, following Knative's precedence of <c>filters</c> over <c>filter.attributes</c>.</summary>
public static class TriggerFilters
{
    /// <summary>
    /// A non-empty <see cref="TriggerResource.Filters"/> list becomes an <see cref="AllFilter"/> of its items and
    /// <see cref="TriggerResource.FilterAttributes"/> is ignored; otherwise the attributes filter applies; otherwise
    /// nothing is tested. Build once per trigger: the result is immutable and thread-safe. An event is delivered
    /// unless the filter answers <see cref="FilterResult.Fail"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A filter is invalid; the message names the trigger and the item.</exception>
    public static IEventFilter Create(TriggerResource trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var name = $"Trigger {trigger.Meta.Namespace}/{trigger.Meta.Name}";
        try
        {
            if (trigger.Filters is { Count: > 0 } filters)
            {
                return filters.Count == 1
                    ? SubscriptionsApiFilters.Create(filters[0], "filters[0]")
                    : new AllFilter(filters.Select((item, i) => SubscriptionsApiFilters.Create(item, $"filters[{i}]")));
            }

            return trigger.FilterAttributes is { } attributes
                ? new AttributesFilter(attributes)
                : EmptyFilter.Instance;
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"{name}: {exception.Message}", exception);
        }
    }
}
