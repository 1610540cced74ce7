using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// Writes an <see cref="EventingModel"/> as Knative YAML, the inverse of <see cref="ResourceLoader"/>: loading the
/// text gives back an equal model, except that each resource's <see cref="ResourceOrigin"/> then names the written
/// file and document. Brokers come first, then Triggers, then PingSources, then EventPolicies, each in model order, one document each.
/// </summary>
/// <remarks>
/// The model is written as it is, not validated: what the loader would reject (an invalid name, a ref without an
/// apiVersion) is written anyway and reported when the text is loaded. Fields the loader fills in when absent (a
/// namespace, a ref's namespace) are written explicitly, so the text means the same model wherever it is applied.
/// </remarks>
public static partial class KnativeYaml
{
    private const string EventingV1 = "eventing.knative.dev/v1";
    private const string SourcesV1 = "sources.knative.dev/v1";
    private const string EventingV1Alpha1 = "eventing.knative.dev/v1alpha1";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Renders <paramref name="model"/> as multi-document YAML (documents separated by <c>---</c>).</summary>
    public static string Write(EventingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);

        var stream = new YamlStream();
        foreach (var broker in model.Brokers)
        {
            stream.Add(new YamlDocument(Broker(broker)));
        }

        foreach (var trigger in model.Triggers)
        {
            stream.Add(new YamlDocument(Trigger(trigger)));
        }

        foreach (var pingSource in model.PingSources)
        {
            stream.Add(new YamlDocument(PingSource(pingSource)));
        }

        foreach (var policy in model.EventPolicies)
        {
            stream.Add(new YamlDocument(EventPolicy(policy)));
        }

        return Save(stream);
    }

    private static string Save(YamlStream stream)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        // An unbounded width keeps every scalar on one line: the loader splits files at "---" lines, and a folded
        // long value is harder to read and diff than a long line.
        var settings = EmitterSettings.Default.WithBestWidth(int.MaxValue).WithNewLine("\n");
        stream.Save(new ImplicitDocumentEnds(new Emitter(writer, settings)), assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>
    /// Renders Knative resources the model has no type for (a Serving <c>Service</c>, say) with the same conventions as
    /// <see cref="Write(EventingModel)"/>: one document each, every scalar on one line, documents separated by <c>---</c>.
    /// </summary>
    public static string Write(IEnumerable<YamlMappingNode> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var stream = new YamlStream();
        foreach (var document in documents)
        {
            stream.Add(new YamlDocument(document));
        }

        return Save(stream);
    }

    /// <summary>
    /// A string scalar that reads back as that string: quoted when YAML 1.1 (as Kubernetes reads it) or 1.2 would take
    /// it for a boolean, a number, null or a timestamp, plain otherwise.
    /// </summary>
    public static YamlScalarNode Scalar(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Text(value);
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> (UTF-8, no BOM), replacing the file atomically: the
    /// text goes to a hidden temporary file in the same folder, which is then renamed, so a reader sees either the
    /// old file or the whole new one. The folder must exist.
    /// </summary>
    public static async Task WriteAsync(EventingModel model, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        var bytes = Utf8NoBom.GetBytes(Write(model));
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));

        // A rename is atomic only within one file system, hence the same folder. The dot and the .tmp ending keep
        // the loader from reading the half-written file when it scans the folder meanwhile.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

                // On disk before the rename: after a crash the name holds the old text or the new one, never a hole.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            // Gone already after a successful move; this only clears up after a failure (File.Delete would throw
            // for a missing folder and hide the exception that matters).
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static YamlMappingNode Broker(BrokerResource broker)
    {
        var root = Resource(EventingV1, "Broker", broker.Meta);
        if (broker.Delivery is { } delivery)
        {
            root.Add("spec", new YamlMappingNode { { "delivery", Delivery(delivery) } });
        }

        return root;
    }

    private static YamlMappingNode Trigger(TriggerResource trigger)
    {
        var spec = new YamlMappingNode { { "broker", Text(trigger.Broker) } };

        // Null and empty differ for the loader (no filter, or attributes that match every event), so both are kept.
        if (trigger.FilterAttributes is { } attributes)
        {
            spec.Add("filter", new YamlMappingNode { { "attributes", Map(attributes) } });
        }

        if (trigger.Filters.Count > 0)
        {
            spec.Add("filters", Filters(trigger.Filters));
        }

        spec.Add("subscriber", Destination(trigger.Subscriber));
        if (trigger.Delivery is { } delivery)
        {
            spec.Add("delivery", Delivery(delivery));
        }

        var root = Resource(EventingV1, "Trigger", trigger.Meta);
        root.Add("spec", spec);
        return root;
    }

    private static YamlMappingNode PingSource(PingSourceResource source)
    {
        var spec = new YamlMappingNode { { "schedule", Text(source.Schedule) } };
        AddText(spec, "timezone", source.Timezone);
        AddText(spec, "contentType", source.ContentType);
        AddText(spec, "data", source.Data);
        AddText(spec, "dataBase64", source.DataBase64);
        if (source.CeOverrideExtensions.Count > 0)
        {
            spec.Add("ceOverrides", new YamlMappingNode { { "extensions", Map(source.CeOverrideExtensions) } });
        }

        spec.Add("sink", Destination(source.Sink));

        var root = Resource(SourcesV1, "PingSource", source.Meta);
        root.Add("spec", spec);
        return root;
    }

    private static YamlMappingNode EventPolicy(EventPolicyResource policy)
    {
        var spec = new YamlMappingNode();
        if (policy.To.Count > 0)
        {
            spec.Add("to", new YamlSequenceNode(policy.To.Select(PolicyTarget)));
        }

        if (policy.From.Count > 0)
        {
            spec.Add("from", new YamlSequenceNode(policy.From.Select(PolicySender)));
        }

        if (policy.Filters.Count > 0)
        {
            spec.Add("filters", Filters(policy.Filters));
        }

        var root = Resource(EventingV1Alpha1, "EventPolicy", policy.Meta);

        // No spec at all reads back as the same empty policy, and keeps the CRD's optional spec optional.
        if (spec.Children.Count > 0)
        {
            root.Add("spec", spec);
        }

        return root;
    }

    private static YamlMappingNode PolicyTarget(EventPolicyTarget target)
    {
        if (target.Ref is { } reference)
        {
            return new YamlMappingNode
            {
                {
                    "ref", new YamlMappingNode
                    {
                        { "apiVersion", Text(reference.ApiVersion) },
                        { "kind", Text(reference.Kind) },
                        { "name", Text(reference.Name) },
                    }
                },
            };
        }

        var selector = target.Selector!;
        var map = new YamlMappingNode
        {
            { "apiVersion", Text(selector.ApiVersion) },
            { "kind", Text(selector.Kind) },
        };

        // Written even when empty: a selector without labels or expressions would read back as invalid.
        if (selector.MatchLabels.Count > 0 || selector.MatchExpressions.Count == 0)
        {
            map.Add("matchLabels", Map(selector.MatchLabels));
        }

        if (selector.MatchExpressions.Count > 0)
        {
            map.Add("matchExpressions", new YamlSequenceNode(selector.MatchExpressions.Select(requirement =>
            {
                var item = new YamlMappingNode
                {
                    { "key", Text(requirement.Key) },
                    { "operator", Text(requirement.Operator.ToString()) },
                };
                if (requirement.Values.Count > 0)
                {
                    item.Add("values", new YamlSequenceNode(requirement.Values.Select(v => (YamlNode)Text(v))));
                }

                return item;
            })));
        }

        return new YamlMappingNode { { "selector", map } };
    }

    private static YamlMappingNode PolicySender(EventPolicySender sender) =>
        sender.Ref is { } reference
            ? Destination(new Destination(reference, null))
            : new YamlMappingNode { { "sub", Text(sender.Sub!) } };

    private static YamlMappingNode Resource(string apiVersion, string kind, ResourceMeta meta)
    {
        var metadata = new YamlMappingNode { { "name", Text(meta.Name) } };
        AddText(metadata, "namespace", meta.Namespace);
        if (meta.Labels.Count > 0)
        {
            metadata.Add("labels", Map(meta.Labels));
        }

        if (meta.Annotations.Count > 0)
        {
            metadata.Add("annotations", Map(meta.Annotations));
        }

        return new YamlMappingNode
        {
            { "apiVersion", Text(apiVersion) },
            { "kind", Text(kind) },
            { "metadata", metadata },
        };
    }

    private static YamlMappingNode Delivery(DeliverySpec delivery)
    {
        var map = new YamlMappingNode();
        if (delivery.DeadLetterSink is { } deadLetterSink)
        {
            map.Add("deadLetterSink", Destination(deadLetterSink));
        }

        if (delivery.Retry is { } retry)
        {
            // The one integer field: plain, so Kubernetes reads a number as the CRD's int32 asks.
            map.Add("retry", new YamlScalarNode(retry.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain });
        }

        AddText(map, "backoffPolicy", delivery.BackoffPolicy switch
        {
            null => null,
            BackoffPolicy.Linear => "linear",
            BackoffPolicy.Exponential => "exponential",
            var other => throw new ArgumentOutOfRangeException(nameof(delivery), other, "unknown backoff policy"),
        });
        AddText(map, "backoffDelay", Duration(delivery.BackoffDelay));
        AddText(map, "timeout", Duration(delivery.Timeout));
        AddText(map, "retryAfterMax", Duration(delivery.RetryAfterMax));
        return map;
    }

    private static string? Duration(TimeSpan? duration) => duration is { } value ? IsoDuration.Format(value) : null;

    private static YamlMappingNode Destination(Destination destination)
    {
        var map = new YamlMappingNode();
        if (destination.Ref is { } reference)
        {
            var refMap = new YamlMappingNode();
            AddText(refMap, "apiVersion", reference.ApiVersion);
            refMap.Add("kind", Text(reference.Kind));
            refMap.Add("name", Text(reference.Name));
            AddText(refMap, "namespace", reference.Namespace);
            map.Add("ref", refMap);
        }

        if (destination.Uri is { } uri)
        {
            // The text as given: what the loader parsed, and for a relative URI the only form there is.
            map.Add("uri", Text(uri.OriginalString));
        }

        AddText(map, "audience", destination.Audience);
        return map;
    }

    private static YamlSequenceNode Filters(IEnumerable<SubscriptionsApiFilter> filters) => new(filters.Select(Filter));

    private static YamlMappingNode Filter(SubscriptionsApiFilter filter)
    {
        // The loader accepts exactly one dialect per expression; every one set is written so that a model with more
        // fails there, with the loader's message, rather than losing a condition here.
        var map = new YamlMappingNode();
        if (filter.Exact is { } exact)
        {
            map.Add("exact", Map(exact));
        }

        if (filter.Prefix is { } prefix)
        {
            map.Add("prefix", Map(prefix));
        }

        if (filter.Suffix is { } suffix)
        {
            map.Add("suffix", Map(suffix));
        }

        if (filter.All is { } all)
        {
            map.Add("all", Filters(all));
        }

        if (filter.Any is { } any)
        {
            map.Add("any", Filters(any));
        }

        if (filter.Not is { } not)
        {
            map.Add("not", Filter(not));
        }

        if (filter.Cesql is { } cesql)
        {
            map.Add("cesql", Text(cesql));
        }

        return map;
    }

    private static YamlMappingNode Map(IReadOnlyDictionary<string, string> entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            map.Add(Text(key), Text(value));
        }

        return map;
    }

    private static void AddText(YamlMappingNode map, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            map.Add(key, Text(value));
        }
    }

    /// <summary>A string scalar quoted unless YAML (1.1 as Kubernetes reads it, or 1.2) can only read it as that string.</summary>
    private static YamlScalarNode Text(string value) => new(value) { Style = StyleOf(value) };

    private static ScalarStyle StyleOf(string value)
    {
        // Plain only for a conservative alphabet starting with a letter, which rules out numbers, timestamps,
        // indicators and ": "; the reader's own typing then rules out the words YAML 1.1 takes for booleans and null.
        if (PlainSafe().IsMatch(value))
        {
            var plain = new YamlScalarNode(value) { Style = ScalarStyle.Plain };
            if (!YamlScalars.IsNull(plain) && YamlScalars.NonStringType(plain) is null)
            {
                return ScalarStyle.Plain;
            }
        }

        // JSON payloads read better in single quotes ('{"task":"sync"}'); double quotes can escape anything else.
        return value.Contains('"', StringComparison.Ordinal) && value.All(c => c is >= ' ' and <= '~')
            ? ScalarStyle.SingleQuoted
            : ScalarStyle.DoubleQuoted;
    }

    /// <summary>
    /// Drops the <c>...</c> line YamlDotNet writes after every document: documents are separated by <c>---</c> alone,
    /// as Kubernetes manifests are.
    /// </summary>
    private sealed class ImplicitDocumentEnds(IEmitter emitter) : IEmitter
    {
        public void Emit(ParsingEvent @event) => emitter.Emit(@event is DocumentEnd ? new DocumentEnd(isImplicit: true) : @event);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._/:-]*(?<!:)$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();
}
