using Skylark.Events.Contracts;

namespace Skylark.Events.State.Functions;

/// <summary>
/// Who a function instance is: its name (which also scopes the bundles it may write, see <see cref="BundleScope"/>)
/// and the node of its Redis (every bundle it writes is a StateRef on that node), which is the node it runs on unless
/// its state is kept centrally elsewhere (<see cref="HostNode"/>).
/// </summary>
public sealed record FunctionOptions
{
    /// <summary>Events carry claim checks, not pixels, so 1 MiB bounds what one request may make us buffer.</summary>
    public const int DefaultMaxEventBytes = 1024 * 1024;

    public FunctionOptions(string function, string node, int maxEventBytes = DefaultMaxEventBytes, string? hostNode = null)
    {
        // Same rule as the bundle scope, so a function can always own "{function}.{name}" bundles.
        _ = BundleScope.ForFunction(function);
        if (!StateRef.IsValidSegment(node))
        {
            throw new ArgumentException($"Node '{node}' must match {StateRef.SegmentPattern}.", nameof(node));
        }

        if (hostNode is not null && !StateRef.IsValidSegment(hostNode))
        {
            throw new ArgumentException($"Host node '{hostNode}' must match {StateRef.SegmentPattern}.", nameof(hostNode));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 1024);
        HostNode = hostNode ?? node;
        Function = function;
        Node = node;
        MaxEventBytes = maxEventBytes;
    }

    public string Function { get; }

    /// <summary>The node of the function's state store: the first segment of every StateRef it writes.</summary>
    public string Node { get; }

    /// <summary>Where the function runs: the <c>node</c> of its replies. Differs from <see cref="Node"/> only with a central store.</summary>
    public string HostNode { get; }

    /// <summary>True when the store is on another node, so even a "local" read crosses a link.</summary>
    public bool StateIsRemote => !string.Equals(HostNode, Node, StringComparison.Ordinal);

    /// <summary>Largest request body accepted; larger requests get 413.</summary>
    public int MaxEventBytes { get; }

    /// <summary>The <c>source</c> of this function's <c>io.skylark.function.completed</c> replies.</summary>
    public Uri Source => EventSources.Function(Function);
}
