using System.Globalization;
using Skylark.Events.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>
/// Knative's official CRD schemas (../shared/conformance/knative-crds) as a check on YAML we ship or write: every
/// field a resource's spec sets is one the API server keeps, with the right type, so the text also applies to a
/// real cluster.
/// </summary>
public static class KnativeCrdSchemas
{
    /// <summary>
    /// Asserts that <paramref name="resource"/> has the apiVersion of its kind's CRD and a spec the CRD's schema
    /// declares; <paramref name="what"/> names it in the failure.
    /// </summary>
    public static void AssertConforms(YamlMappingNode resource, string what)
    {
        var kind = Scalar(resource, "kind");

        // Serving's Service shares its kind with the core Service, so its CRD file says whose it is.
        var file = Scalar(resource, "apiVersion").StartsWith("serving.knative.dev/", StringComparison.Ordinal) ? "serving-" + kind : kind;
        var (group, version, schema) = Crd(file, kind);
        Assert.Equal($"{group}/{version}", Scalar(resource, "apiVersion"));

        var problems = new List<string>();
        if (resource.Children.TryGetValue(new YamlScalarNode("spec"), out var spec))
        {
            Walk(spec, Child(Child(schema, "properties"), "spec"), "spec", problems);
        }

        Assert.True(problems.Count == 0, $"{what} {kind}: " + string.Join("; ", problems));
    }

    /// <summary>The group, storage version and v1 schema of the official CRD for <paramref name="kind"/>, in <paramref name="file"/>.yaml.</summary>
    private static (string Group, string Version, YamlMappingNode Schema) Crd(string file, string kind)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RepositoryPaths.InShared("conformance", "knative-crds", file.ToLowerInvariant() + ".yaml"))));
        var crd = (YamlMappingNode)stream.Documents.Single().RootNode;
        var spec = Child(crd, "spec");
        Assert.Equal(kind, Scalar(Child(spec, "names"), "kind"));
        var storage = ((YamlSequenceNode)spec["versions"]).Children.Cast<YamlMappingNode>().Single(v => Scalar(v, "storage") == "true");
        return (Scalar(spec, "group"), Scalar(storage, "name"), Child(Child(storage, "schema"), "openAPIV3Schema"));
    }

    private static void Walk(YamlNode node, YamlMappingNode schema, string path, List<string> problems)
    {
        var type = schema.Children.TryGetValue(new YamlScalarNode("type"), out var t) ? ((YamlScalarNode)t).Value : null;
        switch (node)
        {
            case YamlMappingNode map when type is null or "object":
                var properties = schema.Children.TryGetValue(new YamlScalarNode("properties"), out var p) ? (YamlMappingNode)p : null;
                var preservesUnknown = schema.Children.TryGetValue(new YamlScalarNode("x-kubernetes-preserve-unknown-fields"), out var u)
                    && ((YamlScalarNode)u).Value == "true";
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    if (properties is not null && properties.Children.TryGetValue(key, out var property))
                    {
                        Walk(value, (YamlMappingNode)property, path + "." + name, problems);
                    }
                    else if (schema.Children.TryGetValue(new YamlScalarNode("additionalProperties"), out var additional) && additional is YamlMappingNode entry)
                    {
                        // A map (labels, annotations, nodeSelector, resource limits): every key is allowed, every value has the entry's type.
                        Walk(value, entry, path + "." + name, problems);
                    }
                    else if (!preservesUnknown)
                    {
                        problems.Add($"{path}.{name} is not in the CRD schema (the API server would drop it)");
                    }
                }

                break;
            case YamlSequenceNode sequence when type == "array":
                var items = Child(schema, "items");
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Walk(sequence.Children[i], items, $"{path}[{i}]", problems);
                }

                break;
            case YamlScalarNode text when type == "string" && (text.Style != ScalarStyle.Plain || !IsNonString(text.Value)):
            case YamlScalarNode integer when type == "integer" && integer.Style == ScalarStyle.Plain && long.TryParse(integer.Value, CultureInfo.InvariantCulture, out _):
            case YamlScalarNode boolean when type == "boolean" && boolean.Style == ScalarStyle.Plain && boolean.Value is "true" or "false":
            case YamlScalarNode when type is null:
                break;
            default:
                problems.Add($"{path} does not have the CRD type {type ?? "object"}");
                break;
        }
    }

    // Plain scalars that YAML would type as booleans or numbers.
    private static bool IsNonString(string? value) =>
        value is "true" or "false" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static YamlMappingNode Child(YamlMappingNode map, string key) => (YamlMappingNode)map[key];

    private static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map[key]).Value!;
}
