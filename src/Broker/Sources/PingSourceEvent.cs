using System.Collections.ObjectModel;
using System.Text;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Sources;

/// <summary>
/// The CloudEvent a PingSource emits, exactly as Knative's mtping adapter builds it: type
/// <c>dev.knative.sources.ping</c>, source <c>/apis/v1/namespaces/&lt;ns&gt;/pingsources/&lt;name&gt;</c>, a fresh id and
/// the send time per event, the <c>ceOverrides</c> extensions, and data from <c>data</c> or the decoded <c>dataBase64</c>.
/// </summary>
/// <remarks>
/// Knative sets data (and with it <c>datacontenttype</c>) only when the source has data, and passes
/// <c>contentType</c> through as given: no default, so data without a contentType travels without a Content-Type.
/// Extensions named like a CloudEvents attribute (<c>type</c>, <c>id</c>, ...) are dropped, because the CloudEvents
/// Go SDK Knative uses refuses to let an extension overwrite a spec attribute.
/// </remarks>
public sealed class PingSourceEvent
{
    public const string EventType = EventTypes.Ping;

    private readonly byte[]? data;
    private readonly (CloudEventAttribute Attribute, string Value)[] extensions;

    /// <exception cref="FormatException"><c>dataBase64</c> is not valid base64.</exception>
    public PingSourceEvent(PingSourceResource source)
    {
        ArgumentNullException.ThrowIfNull(source);

        Source = SourceOf(source.Meta.Namespace, source.Meta.Name);
        data = DataOf(source);
        ContentType = data is null ? null : source.ContentType;

        var kept = new List<(CloudEventAttribute, string)>();
        var dropped = new List<string>();
        foreach (var (name, value) in source.CeOverrideExtensions.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (IsSpecAttributeName(name))
            {
                dropped.Add(name);
                continue;
            }

            kept.Add((CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.String), value));
        }

        extensions = [.. kept];
        Extensions = new ReadOnlyDictionary<string, string>(kept.ToDictionary(e => e.Item1.Name, e => e.Item2, StringComparer.Ordinal));
        DroppedExtensions = dropped;
    }

    /// <summary>The event's <c>source</c>: <c>/apis/v1/namespaces/&lt;ns&gt;/pingsources/&lt;name&gt;</c>.</summary>
    public Uri Source { get; }

    /// <summary>The <c>datacontenttype</c>, or null when the event has no data or the source no contentType.</summary>
    public string? ContentType { get; }

    /// <summary>The extensions every event carries (from <c>ceOverrides.extensions</c>).</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; }

    /// <summary><c>ceOverrides.extensions</c> names that are CloudEvents attributes, which Knative ignores too.</summary>
    public IReadOnlyList<string> DroppedExtensions { get; }

    /// <summary>A copy of the payload, or null when the source has neither data nor dataBase64.</summary>
    public byte[]? Data => data?.ToArray();

    /// <summary>Knative's <c>PingSourceSource(namespace, name)</c>.</summary>
    public static Uri SourceOf(string @namespace, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new Uri($"/apis/v1/namespaces/{@namespace}/pingsources/{name}", UriKind.Relative);
    }

    /// <summary>A new event with a fresh id, stamped with <paramref name="time"/> (the moment it is sent).</summary>
    public CloudEvent Create(DateTimeOffset time)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventType,
            Source = Source,
            Time = time,
        };

        foreach (var (attribute, value) in extensions)
        {
            cloudEvent[attribute] = value;
        }

        if (data is not null)
        {
            // Each event gets its own buffer: the HTTP content may hold on to it while a send is still in flight.
            cloudEvent.Data = data.ToArray();
            cloudEvent.DataContentType = ContentType;
        }

        return cloudEvent;
    }

    private static byte[]? DataOf(PingSourceResource source)
    {
        if (!string.IsNullOrEmpty(source.DataBase64))
        {
            try
            {
                return Convert.FromBase64String(source.DataBase64);
            }
            catch (FormatException e)
            {
                throw new FormatException($"PingSource {source.Meta.Namespace}/{source.Meta.Name}: spec.dataBase64 is not valid base64", e);
            }
        }

        return string.IsNullOrEmpty(source.Data) ? null : Encoding.UTF8.GetBytes(source.Data);
    }

    // "data" is not an attribute, but an extension of that name would collide with the event's data member.
    private static bool IsSpecAttributeName(string name) =>
        CloudEventsSpecVersion.V1_0.AllAttributes.Any(a => a.Name == name) || name == "data";
}
