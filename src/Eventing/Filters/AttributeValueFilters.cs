namespace Skylark.Events.Eventing.Filters;

/// <summary>Validates and freezes the attribute → value maps of the exact, prefix and suffix dialects.</summary>
internal static class AttributeValueFilters
{
    public static KeyValuePair<string, string>[] Freeze(IReadOnlyDictionary<string, string> filters, string dialect)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var entries = new KeyValuePair<string, string>[filters.Count];
        var index = 0;
        foreach (var (attribute, value) in filters)
        {
            // Knative's webhook and filter constructors reject these: an empty value would match everything.
            if (string.IsNullOrEmpty(attribute))
            {
                throw new ArgumentException($"The {dialect} filter has an empty attribute name.");
            }

            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"The {dialect} filter for attribute '{attribute}' has an empty value.");
            }

            entries[index++] = new(attribute, value);
        }

        return entries;
    }
}
