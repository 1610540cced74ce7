using System.Collections.ObjectModel;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Reads <c>metadata</c>: a name Kubernetes would accept, and the namespace (defaulting to <c>default</c>).</summary>
internal static class MetadataReader
{
    public const string DefaultNamespace = "default";

    public static ResourceMeta? Read(DocumentReader reader, YamlMappingNode root)
    {
        var errorsBefore = reader.ErrorCount;
        var metadata = reader.ReadMapping(root, "metadata", "metadata");
        if (metadata is null)
        {
            // Metadata that is there but not a mapping has been reported already.
            if (!DocumentReader.Has(root, "metadata"))
            {
                reader.Error("metadata.name", root, "required");
            }

            return null;
        }

        var name = reader.ReadRequiredString(metadata, "name", "metadata.name", metadata);
        if (name is not null && !KnativeNames.IsDnsSubdomain(name))
        {
            reader.Error("metadata.name", DocumentReader.Child(metadata, "name"), $"invalid name \"{name}\": {KnativeNames.DnsSubdomainRule}");
        }

        var ns = reader.ReadString(metadata, "namespace", "metadata.namespace");
        if (ns is { Length: > 0 } && !KnativeNames.IsDnsLabel(ns))
        {
            reader.Error("metadata.namespace", DocumentReader.Child(metadata, "namespace"), $"invalid namespace \"{ns}\": {KnativeNames.DnsLabelRule}");
        }

        var labels = reader.ReadStringMap(metadata, "labels", "metadata.labels") ?? ReadOnlyDictionary<string, string>.Empty;
        var annotations = reader.ReadStringMap(metadata, "annotations", "metadata.annotations") ?? ReadOnlyDictionary<string, string>.Empty;
        return reader.ErrorCount > errorsBefore || name is null
            ? null
            : new ResourceMeta(name, string.IsNullOrEmpty(ns) ? DefaultNamespace : ns, labels, annotations);
    }
}
