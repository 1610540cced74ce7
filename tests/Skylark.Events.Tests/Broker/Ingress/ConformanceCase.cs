using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Tests.Broker.Ingress;

/// <summary>
/// One document of the CloudEvents HTTP conformance YAML (github.com/cloudevents/conformance): the event's context
/// attributes and extensions, extra transport headers, and data. Attribute, extension and header values are trimmed
/// as the conformance tool trims them before sending (a YAML block scalar ends with a newline, which no CloudEvents
/// string attribute may contain); data is sent exactly as written.
/// </summary>
public sealed record ConformanceCase(
    string File,
    int Document,
    string DeclaredMode,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> Extensions,
    IReadOnlyDictionary<string, string> TransportExtensions,
    string? Data)
{
    public string SpecVersion => Attributes["specversion"];

    public string? DataContentType => Attributes.GetValueOrDefault("datacontenttype");

    public static IEnumerable<ConformanceCase> Load(string root)
    {
        var files = new[] { "v1.yaml", "v03.yaml" }
            .Select(f => Path.Combine(root, f))
            .Concat(Directory.GetFiles(Path.Combine(root, "v0.3"), "*.yaml").Order(StringComparer.Ordinal))
            .Concat(Directory.GetFiles(Path.Combine(root, "v1.0"), "*.yaml").Order(StringComparer.Ordinal));

        foreach (var file in files)
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                stream.Load(reader);
            }

            for (var i = 0; i < stream.Documents.Count; i++)
            {
                yield return FromDocument(Path.GetRelativePath(root, file), i, (YamlMappingNode)stream.Documents[i].RootNode);
            }
        }
    }

    public override string ToString() => $"{File}#{Document}";

    private static ConformanceCase FromDocument(string file, int index, YamlMappingNode document)
    {
        var context = (YamlMappingNode)document.Children[new YamlScalarNode("ContextAttributes")];
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "Extensions")
            {
                foreach (var (extensionKey, extensionValue) in ((YamlMappingNode)value).Children)
                {
                    extensions[((YamlScalarNode)extensionKey).Value!] = ((YamlScalarNode)extensionValue).Value!.Trim();
                }
            }
            else
            {
                attributes[name] = ((YamlScalarNode)value).Value!.Trim();
            }
        }

        var transport = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (document.Children.TryGetValue(new YamlScalarNode("TransportExtensions"), out var headers))
        {
            foreach (var (key, value) in ((YamlMappingNode)headers).Children)
            {
                transport[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value!.Trim();
            }
        }

        var mode = document.Children.TryGetValue(new YamlScalarNode("Mode"), out var m) ? ((YamlScalarNode)m).Value! : "binary";
        var data = document.Children.TryGetValue(new YamlScalarNode("Data"), out var d) ? ((YamlScalarNode)d).Value : null;
        return new ConformanceCase(file, index, mode, attributes, extensions, transport, data);
    }
}
