using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Loads Knative Broker, Trigger, PingSource and EventPolicy resources from YAML files or folders.</summary>
public static class ResourceLoader
{
    private const string EventingV1 = "eventing.knative.dev/v1";
    private const string SourcesV1 = "sources.knative.dev/v1";
    private const string EventingV1Alpha1 = "eventing.knative.dev/v1alpha1";

    /// <summary>
    /// Loads every multi-document YAML file named (folders: every *.yaml/*.yml inside, in path order).
    /// Unknown kinds are skipped with a warning.
    /// </summary>
    /// <exception cref="ResourceValidationException">Lists every error with file, document and field.</exception>
    public static EventingModel Load(IEnumerable<string> paths, ILogger? logger = null) =>
        Load(paths, ResourceLoaderOptions.Default, logger);

    /// <inheritdoc cref="Load(IEnumerable{string}, ILogger?)"/>
    public static EventingModel Load(IEnumerable<string> paths, ResourceLoaderOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;

        var errors = new List<ResourceError>();
        var brokers = new List<BrokerResource>();
        var triggers = new List<TriggerResource>();
        var pingSources = new List<PingSourceResource>();
        var policies = new List<EventPolicyResource>();
        var names = new Dictionary<(string Kind, string Namespace, string Name), ResourceOrigin>();

        var files = ResourceFiles.Expand(paths, errors);
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ResourceError(file, -1, string.Empty, $"cannot read file: {e.Message}"));
                continue;
            }

            foreach (var document in YamlDocuments.Parse(file, text, errors))
            {
                if (YamlDocuments.IsEmpty(document.Root))
                {
                    continue;
                }

                var reader = new DocumentReader(file, document.Index, document.LineOffset, errors);
                var nameNode = DocumentReader.Child(DocumentReader.Child(document.Root as YamlMappingNode, "metadata") as YamlMappingNode, "name");
                switch (ReadDocument(reader, document.Root, options, logger))
                {
                    case BrokerResource broker when IsUnique(reader, "Broker", broker.Meta, nameNode, names):
                        brokers.Add(broker);
                        break;
                    case TriggerResource trigger when IsUnique(reader, "Trigger", trigger.Meta, nameNode, names):
                        triggers.Add(trigger);
                        break;
                    case PingSourceResource pingSource when IsUnique(reader, "PingSource", pingSource.Meta, nameNode, names):
                        pingSources.Add(pingSource);
                        break;
                    case EventPolicyResource policy when IsUnique(reader, "EventPolicy", policy.Meta, nameNode, names):
                        policies.Add(policy);
                        break;
                }
            }
        }

        if (errors.Count > 0)
        {
            ResourceLoaderLog.Invalid(logger, errors.Count);
            throw new ResourceValidationException(errors);
        }

        foreach (var trigger in triggers)
        {
            if (!brokers.Any(b => b.Meta.Namespace == trigger.Meta.Namespace && b.Meta.Name == trigger.Broker))
            {
                ResourceLoaderLog.TriggerWithoutBroker(logger, trigger.Meta.Namespace, trigger.Meta.Name, trigger.Broker);
            }
        }

        ResourceLoaderLog.Loaded(logger, brokers.Count, triggers.Count, pingSources.Count, policies.Count, files.Count);
        return new EventingModel(brokers.AsReadOnly(), triggers.AsReadOnly(), pingSources.AsReadOnly()) { EventPolicies = policies.AsReadOnly() };
    }

    /// <summary>Reads one non-empty document; null when it is skipped or invalid (errors are recorded).</summary>
    private static object? ReadDocument(DocumentReader reader, YamlNode root, ResourceLoaderOptions options, ILogger logger)
    {
        if (root is not YamlMappingNode map)
        {
            reader.Error(string.Empty, root, $"expected a Kubernetes resource (a mapping with apiVersion and kind), got {DocumentReader.Show(root)}");
            return null;
        }

        var kind = reader.ReadRequiredString(map, "kind", "kind", map);
        var apiVersion = reader.ReadString(map, "apiVersion", "apiVersion");
        if (kind is null)
        {
            if (string.IsNullOrEmpty(apiVersion))
            {
                reader.Error("apiVersion", map, "required");
            }

            return null;
        }

        var expected = kind switch
        {
            "Broker" or "Trigger" => EventingV1,
            "PingSource" => SourcesV1,
            "EventPolicy" => EventingV1Alpha1,
            _ => null,
        };
        if (expected is null)
        {
            ResourceLoaderLog.SkippedUnknownKind(logger, kind, apiVersion ?? "no apiVersion", reader.Origin.File, reader.Origin.Document);
            return null;
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            reader.Error("apiVersion", map, $"required; expected {expected}");
            return null;
        }

        if (!string.Equals(apiVersion, expected, StringComparison.Ordinal))
        {
            reader.Error("apiVersion", DocumentReader.Child(map, "apiVersion"), $"unsupported apiVersion \"{apiVersion}\" for {kind}; expected {expected}");
            return null;
        }

        return kind switch
        {
            "Broker" => BrokerReader.Read(reader, map),
            "Trigger" => TriggerReader.Read(reader, map, options),
            "EventPolicy" => EventPolicyReader.Read(reader, map, options),
            _ => PingSourceReader.Read(reader, map),
        };
    }

    private static bool IsUnique(
        DocumentReader reader,
        string kind,
        ResourceMeta meta,
        YamlNode? nameNode,
        Dictionary<(string Kind, string Namespace, string Name), ResourceOrigin> names)
    {
        if (names.TryGetValue((kind, meta.Namespace, meta.Name), out var first))
        {
            reader.Error("metadata.name", nameNode, $"duplicate {kind} {meta.Namespace}/{meta.Name}; already defined in {first.File} document {first.Document}");
            return false;
        }

        names.Add((kind, meta.Namespace, meta.Name), reader.Origin);
        return true;
    }
}
