namespace Skylark.Events.StateSink.Pulling;

/// <summary>
/// Resolves sink URLs with a function, for hosts that know them only at run time (e.g. <c>skylark up</c> asking its
/// link emulator for the proxy from one node to another, or tests that bind to port 0).
/// </summary>
public sealed class DelegatingSinkDirectory(Func<string, string, Uri> resolve) : ISinkDirectory
{
    private readonly Func<string, string, Uri> _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));

    public Uri SinkFor(string fromNode, string toNode) => SinkUris.Normalize(_resolve(fromNode, toNode), toNode);
}
