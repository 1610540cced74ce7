using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// Reads Trigger <c>spec.filters</c> (CloudEvents Subscriptions API filters) with Knative's rules: one dialect per
/// expression; exact/prefix/suffix hold one attribute with a non-empty value; all/any hold at least one nested
/// expression; not holds one; cesql is non-empty and, when a checker is configured, parses.
/// </summary>
internal sealed class SubscriptionsApiFilterReader(DocumentReader reader, Func<string, string?>? validateCesql)
{
    private static readonly string[] Dialects = ["exact", "prefix", "suffix", "all", "any", "not", "cesql"];

    /// <summary>Reads the list under <paramref name="key"/>; an absent list is empty (no filtering).</summary>
    public IReadOnlyList<SubscriptionsApiFilter> ReadList(YamlMappingNode? parent, string key, string path)
    {
        var sequence = reader.ReadSequence(parent, key, path);
        return sequence is null ? [] : ReadItems(sequence, path);
    }

    private IReadOnlyList<SubscriptionsApiFilter> ReadItems(YamlSequenceNode sequence, string path)
    {
        var filters = new List<SubscriptionsApiFilter>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (Read(sequence.Children[i], FieldPath.Index(path, i)) is { } filter)
            {
                filters.Add(filter);
            }
        }

        return filters.AsReadOnly();
    }

    private SubscriptionsApiFilter? Read(YamlNode node, string path)
    {
        if (reader.ReadMapping(node, path) is not { } map)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        reader.RejectUnknownKeys(map, path, Dialects, "filter dialect");
        var present = map.Children.Keys
            .OfType<YamlScalarNode>()
            .Select(k => k.Value)
            .Where(k => k is not null && Dialects.Contains(k, StringComparer.Ordinal))
            .ToList();
        if (present.Count == 0)
        {
            reader.Error(path, map, $"expected exactly one dialect ({string.Join(", ", Dialects)}); got none");
            return null;
        }

        if (present.Count > 1)
        {
            reader.Error(path, map, $"expected exactly one dialect; got {present.Count}: {string.Join(", ", present)}");
            return null;
        }

        var dialect = present[0]!;
        var field = FieldPath.Join(path, dialect);
        var value = DocumentReader.Child(map, dialect);
        SubscriptionsApiFilter? filter = dialect switch
        {
            "exact" => ReadSingleAttribute(value, map, field) is { } exact ? new SubscriptionsApiFilter(Exact: exact) : null,
            "prefix" => ReadSingleAttribute(value, map, field) is { } prefix ? new SubscriptionsApiFilter(Prefix: prefix) : null,
            "suffix" => ReadSingleAttribute(value, map, field) is { } suffix ? new SubscriptionsApiFilter(Suffix: suffix) : null,
            "all" => ReadNested(value, map, field) is { } all ? new SubscriptionsApiFilter(All: all) : null,
            "any" => ReadNested(value, map, field) is { } any ? new SubscriptionsApiFilter(Any: any) : null,
            "not" => ReadNot(value, map, field) is { } not ? new SubscriptionsApiFilter(Not: not) : null,
            _ => ReadCesql(value, map, field) is { } cesql ? new SubscriptionsApiFilter(Cesql: cesql) : null,
        };
        return reader.ErrorCount > errorsBefore ? null : filter;
    }

    private IReadOnlyDictionary<string, string>? ReadSingleAttribute(YamlNode? node, YamlMappingNode parent, string path)
    {
        if (node is null)
        {
            reader.Error(path, parent, "expected exactly one attribute: value pair; got none");
            return null;
        }

        if (reader.ReadMapping(node, path) is not { } map)
        {
            return null;
        }

        if (map.Children.Count != 1)
        {
            reader.Error(path, map, $"expected exactly one attribute: value pair; got {map.Children.Count}");
            return null;
        }

        var entries = reader.ReadStringMap(map, path, KnativeNames.IsFilterAttributeName, "attribute name " + KnativeNames.FilterAttributeNameRule);
        foreach (var (attribute, value) in entries)
        {
            if (value.Length == 0)
            {
                reader.Error(path, map, $"the value for attribute \"{attribute}\" must not be empty");
            }
        }

        return entries;
    }

    private IReadOnlyList<SubscriptionsApiFilter>? ReadNested(YamlNode? node, YamlMappingNode parent, string path)
    {
        if (node is null)
        {
            reader.Error(path, parent, "expected at least one nested filter expression; got none");
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            reader.Error(path, node, $"expected a list of filter expressions, got {DocumentReader.Show(node)}");
            return null;
        }

        if (sequence.Children.Count == 0)
        {
            reader.Error(path, sequence, "expected at least one nested filter expression; got none");
            return null;
        }

        return ReadItems(sequence, path);
    }

    private SubscriptionsApiFilter? ReadNot(YamlNode? node, YamlMappingNode parent, string path)
    {
        if (node is null)
        {
            reader.Error(path, parent, "expected a nested filter expression; got none");
            return null;
        }

        return Read(node, path);
    }

    private string? ReadCesql(YamlNode? node, YamlMappingNode parent, string path)
    {
        if (node is null)
        {
            reader.Error(path, parent, "expected a non-empty CESQL expression");
            return null;
        }

        var expression = reader.ReadString(node, path);
        if (expression is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(expression))
        {
            reader.Error(path, node, "expected a non-empty CESQL expression");
            return null;
        }

        if (validateCesql is not null && Check(validateCesql, expression) is { } problem)
        {
            reader.Error(path, node, $"invalid CESQL expression \"{expression}\": {problem}");
            return null;
        }

        return expression;
    }

    private static string? Check(Func<string, string?> validate, string expression)
    {
        try
        {
            return validate(expression);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A checker bug must not hide the other errors in the user's resources.
            return $"the CESQL checker failed: {e.Message}";
        }
    }
}
