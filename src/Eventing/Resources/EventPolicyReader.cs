using System.Collections.ObjectModel;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// Reads an eventing.knative.dev/v1alpha1 EventPolicy with the rules of Knative's webhook: each <c>from</c> item sets
/// exactly one of ref and sub, and a sub has <c>*</c> only as its last character; each <c>to</c> item sets exactly one
/// of ref and selector; filters are checked like a Trigger's. An absent spec is valid, as in Knative: the policy then
/// covers every receiver of its namespace and admits no one.
/// </summary>
internal static class EventPolicyReader
{
    private static readonly string[] FromKeys = ["ref", "sub"];
    private static readonly string[] ToKeys = ["ref", "selector"];
    private static readonly string[] TargetRefKeys = ["apiVersion", "kind", "name"];
    private static readonly string[] SelectorKeys = ["apiVersion", "kind", "matchLabels", "matchExpressions"];
    private static readonly string[] RequirementKeys = ["key", "operator", "values"];

    public static EventPolicyResource? Read(DocumentReader reader, YamlMappingNode root, ResourceLoaderOptions options)
    {
        var errorsBefore = reader.ErrorCount;
        var meta = MetadataReader.Read(reader, root);
        var ns = meta?.Namespace ?? MetadataReader.DefaultNamespace;
        var spec = reader.ReadMapping(root, "spec", "spec");

        var to = ReadItems(reader, spec, "to", "spec.to", (node, path) => ReadTarget(reader, node, path));
        var from = ReadItems(reader, spec, "from", "spec.from", (node, path) => ReadSender(reader, node, path, ns));
        var filters = new SubscriptionsApiFilterReader(reader, options.ValidateCesql).ReadList(spec, "filters", "spec.filters");

        return reader.ErrorCount > errorsBefore || meta is null
            ? null
            : new EventPolicyResource(meta, to, from, filters, reader.Origin);
    }

    private static IReadOnlyList<T> ReadItems<T>(DocumentReader reader, YamlMappingNode? spec, string key, string path, Func<YamlNode, string, T?> read)
        where T : class
    {
        var sequence = reader.ReadSequence(spec, key, path);
        if (sequence is null)
        {
            return [];
        }

        var items = new List<T>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (read(sequence.Children[i], FieldPath.Index(path, i)) is { } item)
            {
                items.Add(item);
            }
        }

        return items.AsReadOnly();
    }

    private static EventPolicySender? ReadSender(DocumentReader reader, YamlNode node, string path, string ns)
    {
        if (reader.ReadMapping(node, path) is not { } map)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        reader.RejectUnknownKeys(map, path, FromKeys, "field");
        var subPath = FieldPath.Join(path, "sub");
        var sub = reader.ReadString(map, "sub", subPath);
        var hasRef = DocumentReader.Has(map, "ref");

        // As Knative: an empty sub counts as missing, but sub and ref together are two choices even when sub is empty.
        if (!hasRef && string.IsNullOrEmpty(sub))
        {
            reader.Error(path, map, "expected exactly one of ref, sub; got none");
            return null;
        }

        if (hasRef && DocumentReader.Has(map, "sub"))
        {
            reader.Error(path, map, "expected exactly one of ref, sub; got both");
            return null;
        }

        if (sub is not null && !EventPolicySender.IsValidSub(sub))
        {
            reader.Error(subPath, DocumentReader.Child(map, "sub"), $"invalid value \"{sub}\": '*' is only allowed as the last character (a prefix match)");
        }

        var reference = hasRef ? DestinationReader.ReadReference(reader, map, "ref", FieldPath.Join(path, "ref"), ns) : null;
        return reader.ErrorCount > errorsBefore || (reference is null && sub is null) ? null : new EventPolicySender(reference, sub);
    }

    private static EventPolicyTarget? ReadTarget(DocumentReader reader, YamlNode node, string path)
    {
        if (reader.ReadMapping(node, path) is not { } map)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        reader.RejectUnknownKeys(map, path, ToKeys, "field");
        var hasRef = DocumentReader.Has(map, "ref");
        var hasSelector = DocumentReader.Has(map, "selector");
        if (hasRef == hasSelector)
        {
            reader.Error(path, map, $"expected exactly one of ref, selector; got {(hasRef ? "both" : "none")}");
            return null;
        }

        var reference = hasRef ? ReadTargetReference(reader, map, FieldPath.Join(path, "ref")) : null;
        var selector = hasSelector ? ReadSelector(reader, map, FieldPath.Join(path, "selector")) : null;
        return reader.ErrorCount > errorsBefore || (reference is null && selector is null) ? null : new EventPolicyTarget(reference, selector);
    }

    private static EventPolicyTargetReference? ReadTargetReference(DocumentReader reader, YamlMappingNode parent, string path)
    {
        if (reader.ReadMapping(parent, "ref", path) is not { } map)
        {
            return null;
        }

        // The CRD has no namespace here: the API server would drop one, and the policy would not cover what it names.
        reader.RejectUnknownKeys(map, path, TargetRefKeys, "field");
        var apiVersion = reader.ReadRequiredString(map, "apiVersion", FieldPath.Join(path, "apiVersion"), map);
        var kind = reader.ReadRequiredString(map, "kind", FieldPath.Join(path, "kind"), map);
        var name = reader.ReadRequiredString(map, "name", FieldPath.Join(path, "name"), map);
        return apiVersion is null || kind is null || name is null ? null : new EventPolicyTargetReference(apiVersion, kind, name);
    }

    private static EventPolicySelector? ReadSelector(DocumentReader reader, YamlMappingNode parent, string path)
    {
        if (reader.ReadMapping(parent, "selector", path) is not { } map)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        reader.RejectUnknownKeys(map, path, SelectorKeys, "field");

        // Knative admits a selector without apiVersion or kind, but then it matches no resource: surely a mistake.
        var apiVersion = reader.ReadRequiredString(map, "apiVersion", FieldPath.Join(path, "apiVersion"), map);
        var kind = reader.ReadRequiredString(map, "kind", FieldPath.Join(path, "kind"), map);
        var labels = reader.ReadStringMap(map, "matchLabels", FieldPath.Join(path, "matchLabels"));
        var expressions = ReadItems(
            reader,
            map,
            "matchExpressions",
            FieldPath.Join(path, "matchExpressions"),
            (node, itemPath) => ReadRequirement(reader, node, itemPath));
        if (labels is null && !DocumentReader.Has(map, "matchExpressions"))
        {
            // Knative reads a selector with neither as no label selector at all, which matches nothing.
            reader.Error(path, map, "expected matchLabels and/or matchExpressions; a selector without them matches no resource (use matchLabels: {} for every resource of the kind)");
        }

        return reader.ErrorCount > errorsBefore || apiVersion is null || kind is null
            ? null
            : new EventPolicySelector(apiVersion, kind, labels ?? ReadOnlyDictionary<string, string>.Empty, expressions);
    }

    private static LabelSelectorRequirement? ReadRequirement(DocumentReader reader, YamlNode node, string path)
    {
        if (reader.ReadMapping(node, path) is not { } map)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        reader.RejectUnknownKeys(map, path, RequirementKeys, "field");
        var key = reader.ReadRequiredString(map, "key", FieldPath.Join(path, "key"), map);
        var operatorPath = FieldPath.Join(path, "operator");
        var operatorText = reader.ReadRequiredString(map, "operator", operatorPath, map);
        LabelSelectorOperator? op = operatorText switch
        {
            null => null,
            "In" => LabelSelectorOperator.In,
            "NotIn" => LabelSelectorOperator.NotIn,
            "Exists" => LabelSelectorOperator.Exists,
            "DoesNotExist" => LabelSelectorOperator.DoesNotExist,
            _ => null,
        };
        if (operatorText is not null && op is null)
        {
            reader.Error(operatorPath, DocumentReader.Child(map, "operator"), $"unknown operator \"{operatorText}\"; expected one of In, NotIn, Exists, DoesNotExist");
        }

        var valuesPath = FieldPath.Join(path, "values");
        var values = ReadItems(reader, map, "values", valuesPath, (item, itemPath) => reader.ReadString(item, itemPath));
        if (op is LabelSelectorOperator.In or LabelSelectorOperator.NotIn && values.Count == 0)
        {
            reader.Error(valuesPath, map, $"the {op} operator needs at least one value");
        }
        else if (op is LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist && values.Count > 0)
        {
            reader.Error(valuesPath, DocumentReader.Child(map, "values"), $"the {op} operator takes no values");
        }

        return reader.ErrorCount > errorsBefore || key is null || op is null ? null : new LabelSelectorRequirement(key, op.Value, values);
    }
}
