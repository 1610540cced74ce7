using CloudNative.CloudEvents;
using Skylark.Events.Broker.Filters;
using Skylark.Events.Broker.Resources;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// A stand-in for the real Trigger filters until they are merged: every <c>filter.attributes</c> pair and every
/// <c>exact</c> item of <c>filters</c> must equal the event's attribute (compared as its string form).
/// </summary>
public sealed class ExactAttributesTestFilter : IEventFilter
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> required;

    private ExactAttributesTestFilter(IReadOnlyList<KeyValuePair<string, string>> required) => this.required = required;

    public static IEventFilter Create(TriggerResource trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var required = (trigger.FilterAttributes ?? new Dictionary<string, string>())
            .Concat(trigger.Filters.SelectMany(f => f.Exact ?? new Dictionary<string, string>()))
            .ToList();
        return new ExactAttributesTestFilter(required);
    }

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (required.Count == 0)
        {
            return FilterResult.NoFilter;
        }

        foreach (var (name, value) in required)
        {
            var attribute = cloudEvent.GetAttribute(name);
            var actual = attribute is null ? null : cloudEvent[attribute];
            if (actual is null || attribute!.Format(actual) != value)
            {
                return FilterResult.Fail;
            }
        }

        return FilterResult.Pass;
    }
}
