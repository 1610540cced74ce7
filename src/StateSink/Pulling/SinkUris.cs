namespace Skylark.Events.StateSink.Pulling;

/// <summary>The peer API's addresses relative to a sink's base URL.</summary>
internal static class SinkUris
{
    /// <summary>An absolute http(s) URL ending in '/', so relative paths append to it instead of replacing its last segment.</summary>
    public static Uri Normalize(Uri sink, string node)
    {
        if (sink is null || !sink.IsAbsoluteUri || (sink.Scheme != Uri.UriSchemeHttp && sink.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The StateSink URL of node '{node}' must be an absolute http(s) URL; got '{sink}'.", nameof(sink));
        }

        return sink.AbsoluteUri.EndsWith('/') ? sink : new Uri(sink.AbsoluteUri + "/");
    }

    public static Uri Bundle(Uri sink, string workflowId, string bundle) =>
        new(sink, $"peer/bundles/{Uri.EscapeDataString(workflowId)}/{Uri.EscapeDataString(bundle)}");

    public static Uri Fetch(Uri sink) => new(sink, "peer/bundles:fetch");

    /// <summary>The fetch as a long poll: answered once the bundles are written or <paramref name="wait"/> has passed.</summary>
    public static Uri Fetch(Uri sink, TimeSpan wait) =>
        new(sink, FormattableString.Invariant($"peer/bundles:fetch?wait={(long)Math.Ceiling(wait.TotalMilliseconds)}"));

    public static Uri Probe(Uri sink, int bytes) => new(sink, $"peer/probe?bytes={bytes}");
}
