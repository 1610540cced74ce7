using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Reads an eventing.knative.dev/v1 Trigger.</summary>
internal static class TriggerReader
{
    public static TriggerResource? Read(DocumentReader reader, YamlMappingNode root, ResourceLoaderOptions options)
    {
        var errorsBefore = reader.ErrorCount;
        var meta = MetadataReader.Read(reader, root);
        var ns = meta?.Namespace ?? MetadataReader.DefaultNamespace;
        var spec = reader.ReadMapping(root, "spec", "spec");
        if (spec is null)
        {
            // A spec that is there but not a mapping has been reported already.
            if (!DocumentReader.Has(root, "spec"))
            {
                reader.Error("spec", root, "required; a Trigger needs spec.broker and spec.subscriber");
            }

            return null;
        }

        var broker = reader.ReadRequiredString(spec, "broker", "spec.broker", spec);
        var filter = reader.ReadMapping(spec, "filter", "spec.filter");
        var attributes = reader.ReadStringMap(
            filter,
            "attributes",
            "spec.filter.attributes",
            KnativeNames.IsFilterAttributeName,
            "attribute name " + KnativeNames.FilterAttributeNameRule);
        var filters = new SubscriptionsApiFilterReader(reader, options.ValidateCesql).ReadList(spec, "filters", "spec.filters");
        var subscriber = DestinationReader.Read(reader, spec, "subscriber", "spec.subscriber", ns, required: true);
        var delivery = DeliverySpecReader.Read(reader, spec, "spec.delivery", ns);

        return reader.ErrorCount > errorsBefore || meta is null || broker is null || subscriber is null
            ? null
            : new TriggerResource(meta, broker, attributes, filters, subscriber, delivery, reader.Origin);
    }
}
