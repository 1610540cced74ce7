using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// The legacy Trigger <c>spec.filter.attributes</c>: every listed attribute must be present and equal its value.
/// An empty value is Knative's "any" wildcard: the attribute must be present with a non-empty value.
/// </summary>
public sealed class AttributesFilter : IEventFilter
{
    private readonly KeyValuePair<string, string>[] _attributes;

    public AttributesFilter(IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        _attributes = [.. attributes];
        foreach (var (name, value) in _attributes)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("The attributes filter has an empty attribute name.");
            }

            ArgumentNullException.ThrowIfNull(value, $"{nameof(attributes)}[{name}]");
        }
    }

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        if (_attributes.Length == 0)
        {
            return FilterResult.NoFilter;
        }

        foreach (var (name, expected) in _attributes)
        {
            if (!EventAttributeLookup.TryGetCanonicalString(cloudEvent, name, out var actual) || actual.Length == 0)
            {
                return FilterResult.Fail;
            }

            if (expected.Length != 0 && !string.Equals(actual, expected, StringComparison.Ordinal))
            {
                return FilterResult.Fail;
            }
        }

        return FilterResult.Pass;
    }
}
