using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// Reads a duckv1.Destination (subscriber, sink, dead letter sink) with Knative's rules: a ref, a URI, or a ref
/// plus a URI relative to it; a URI alone must be absolute (scheme and host).
/// </summary>
internal static class DestinationReader
{
    /// <summary>Reads the destination under <paramref name="key"/>; reports <c>required</c> when absent and required.</summary>
    public static Destination? Read(
        DocumentReader reader,
        YamlMappingNode? parent,
        string key,
        string path,
        string defaultNamespace,
        bool required)
    {
        var node = DocumentReader.Child(parent, key);
        if (node is null)
        {
            if (required)
            {
                reader.Error(path, parent, "required; expected a ref and/or a uri");
            }

            return null;
        }

        var map = reader.ReadMapping(node, path);
        if (map is null)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        var hasRef = DocumentReader.Has(map, "ref");
        var uriText = reader.ReadString(map, "uri", FieldPath.Join(path, "uri"));
        var hasUri = !string.IsNullOrEmpty(uriText);
        if (!hasRef && !hasUri)
        {
            reader.Error(path, map, "expected at least one of ref, uri; got none");
            return null;
        }

        var reference = hasRef ? ReadReference(reader, map, "ref", FieldPath.Join(path, "ref"), defaultNamespace) : null;
        Uri? uri = null;
        if (hasUri)
        {
            var uriPath = FieldPath.Join(path, "uri");
            var uriNode = DocumentReader.Child(map, "uri");
            if (!TryParseUri(uriText!, out uri))
            {
                reader.Error(uriPath, uriNode, $"\"{uriText}\" is not a valid URI");
            }
            else if (hasRef && uri.IsAbsoluteUri)
            {
                reader.Error(uriPath, uriNode, "an absolute URI is not allowed together with ref; use a path relative to the ref, or drop the ref");
            }
            else if (!hasRef && !(uri.IsAbsoluteUri && uri.Host.Length > 0))
            {
                reader.Error(uriPath, uriNode, $"\"{uriText}\" is relative; without a ref the URI must be absolute with a scheme and host (e.g. http://host/path)");
            }
        }

        var audience = reader.ReadString(map, "audience", FieldPath.Join(path, "audience"));
        return reader.ErrorCount > errorsBefore ? null : new Destination(reference, uri) { Audience = string.IsNullOrEmpty(audience) ? null : audience };
    }

    /// <summary>Reads a duckv1.KReference: kind, name and apiVersion are required; the namespace defaults to the parent's.</summary>
    public static KReference? ReadReference(DocumentReader reader, YamlMappingNode? parent, string key, string path, string defaultNamespace)
    {
        var node = DocumentReader.Child(parent, key);
        if (node is null)
        {
            return null;
        }

        var map = reader.ReadMapping(node, path);
        if (map is null)
        {
            return null;
        }

        var errorsBefore = reader.ErrorCount;
        var kind = reader.ReadRequiredString(map, "kind", FieldPath.Join(path, "kind"), map);
        var name = reader.ReadRequiredString(map, "name", FieldPath.Join(path, "name"), map);
        var apiVersion = reader.ReadRequiredString(map, "apiVersion", FieldPath.Join(path, "apiVersion"), map);
        var ns = reader.ReadString(map, "namespace", FieldPath.Join(path, "namespace"));
        if (ns is { Length: > 0 } && !KnativeNames.IsDnsLabel(ns))
        {
            reader.Error(FieldPath.Join(path, "namespace"), DocumentReader.Child(map, "namespace"), $"invalid namespace \"{ns}\": {KnativeNames.DnsLabelRule}");
        }

        return reader.ErrorCount > errorsBefore || kind is null || name is null || apiVersion is null
            ? null
            // Knative defaults a ref's namespace to the namespace of the resource holding it.
            : new KReference(kind, name, string.IsNullOrEmpty(ns) ? defaultNamespace : ns, apiVersion);
    }

    private static bool TryParseUri(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        // On Unix, .NET may read "/path" as an absolute file URI; Knative treats it as a path relative to the ref.
        if (text.StartsWith('/'))
        {
            return Uri.TryCreate(text, UriKind.Relative, out uri);
        }

        return Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out uri);
    }
}
