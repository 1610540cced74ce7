using System.Collections.ObjectModel;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>PingSources as the loader would produce them, with only what a test cares about spelled out.</summary>
public static class PingSourceResources
{
    public static PingSourceResource Create(
        string schedule,
        Uri? sink = null,
        string name = "ping",
        string @namespace = "skylark",
        string? timezone = null,
        string? contentType = null,
        string? data = null,
        string? dataBase64 = null,
        IReadOnlyDictionary<string, string>? extensions = null,
        Destination? sinkDestination = null) =>
        new(
            new ResourceMeta(name, @namespace, ReadOnlyDictionary<string, string>.Empty, ReadOnlyDictionary<string, string>.Empty),
            schedule,
            timezone,
            contentType,
            data,
            dataBase64,
            extensions ?? ReadOnlyDictionary<string, string>.Empty,
            sinkDestination ?? new Destination(null, sink ?? new Uri("http://127.0.0.1:1/unused")),
            new ResourceOrigin("test.yaml", 0));

    /// <summary>The resolver for sinks given as a URI.</summary>
    public static Uri UriSinks(Destination destination) =>
        destination.Uri ?? throw new InvalidOperationException("this test resolves URI sinks only");
}
