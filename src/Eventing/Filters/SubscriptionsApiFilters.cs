using Skylark.Events.Eventing.Filters.Cesql;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Eventing.Filters;

/// <summary>Materialises one Trigger <c>spec.filters</c> item (Knative's SubscriptionsAPIFilter) into its dialect.</summary>
public static class SubscriptionsApiFilters
{
    /// <exception cref="ArgumentException">
    /// The item sets more than one dialect, an attribute name or value is empty, or a CESQL expression does not parse.
    /// The message names the offending item by <paramref name="path"/>.
    /// </exception>
    public static IEventFilter Create(SubscriptionsApiFilter filter, string path = "filters")
    {
        ArgumentNullException.ThrowIfNull(filter);
        string[] dialects =
        [
            .. new (string Name, bool IsSet)[]
            {
                ("exact", filter.Exact is not null),
                ("prefix", filter.Prefix is not null),
                ("suffix", filter.Suffix is not null),
                ("all", filter.All is not null),
                ("any", filter.Any is not null),
                ("not", filter.Not is not null),
                ("cesql", filter.Cesql is not null),
            }.Where(d => d.IsSet).Select(d => d.Name),
        ];

        if (dialects.Length > 1)
        {
            throw new ArgumentException($"{path}: exactly one dialect may be set, found {string.Join(", ", dialects)}.");
        }

        try
        {
            return filter switch
            {
                { Exact: { } exact } => new ExactFilter(exact),
                { Prefix: { } prefix } => new PrefixFilter(prefix),
                { Suffix: { } suffix } => new SuffixFilter(suffix),
                { All: { } all } => new AllFilter(all.Select((item, i) => Create(item, $"{path}.all[{i}]"))),
                { Any: { } any } => new AnyFilter(any.Select((item, i) => Create(item, $"{path}.any[{i}]"))),
                { Not: { } not } => new NotFilter(Create(not, $"{path}.not")),
                { Cesql: { } cesql } => new CesqlFilter(cesql),

                // Knative skips an item with no dialect; answering NoFilter has the same effect on All and Any.
                _ => EmptyFilter.Instance,
            };
        }
        catch (CesqlParseException exception)
        {
            throw new ArgumentException($"{path}.cesql: {exception.Message}", exception);
        }
        catch (ArgumentException exception) when (!exception.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{path}: {exception.Message}", exception);
        }
    }
}
