using Skylark.Events.Contracts;

namespace Skylark.Events.State.Functions;

/// <summary>
/// Who a function instance is: its name (which also scopes the bundles it may write, see <see cref="BundleScope"/>)
/// and the node it runs on (the node of its Redis, so every bundle it writes is a StateRef on this node).
/// </summary>
public sealed record FunctionOptions
{
    /// <summary>Events carry claim checks, not pixels, so 1 MiB bounds what one request may make us buffer.</summary>
    public const int DefaultMaxEventBytes = 1024 * 1024;

    public FunctionOptions(string function, string node, int maxEventBytes = DefaultMaxEventBytes)
    {
        // Same rule as the bundle scope, so a function can always own "{function}.{name}" bundles.
        _ = BundleScope.ForFunction(function);
        if (!StateRef.IsValidSegment(node))
        {
            throw new ArgumentException($"Node '{node}' must match {StateRef.SegmentPattern}.", nameof(node));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 1024);
        Function = function;
        Node = node;
        MaxEventBytes = maxEventBytes;
    }

    public string Function { get; }

    public string Node { get; }

    /// <summary>Largest request body accepted; larger requests get 413.</summary>
    public int MaxEventBytes { get; }

    /// <summary>The <c>source</c> of this function's <c>io.skylark.function.completed</c> replies.</summary>
    public Uri Source => EventSources.Function(Function);
}
