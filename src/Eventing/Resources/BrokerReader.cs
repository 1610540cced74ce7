using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Reads an eventing.knative.dev/v1 Broker.</summary>
internal static class BrokerReader
{
    public static BrokerResource? Read(DocumentReader reader, YamlMappingNode root)
    {
        var errorsBefore = reader.ErrorCount;
        var meta = MetadataReader.Read(reader, root);
        var ns = meta?.Namespace ?? MetadataReader.DefaultNamespace;
        var spec = reader.ReadMapping(root, "spec", "spec");

        // spec.config names the broker implementation's ConfigMap; we run one implementation, but a malformed ref
        // would fail on Knative, so it fails here too.
        DestinationReader.ReadReference(reader, spec, "config", "spec.config", ns);
        var delivery = DeliverySpecReader.Read(reader, spec, "spec.delivery", ns);

        return reader.ErrorCount > errorsBefore || meta is null ? null : new BrokerResource(meta, delivery, reader.Origin);
    }
}
