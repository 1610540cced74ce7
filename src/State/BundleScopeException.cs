using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>A function tried to change a bundle it does not own.</summary>
public sealed class BundleScopeException : StateException
{
    public BundleScopeException(StateRef stateRef, BundleScope scope)
        : base($"Function '{scope.Function}' may not change state bundle '{stateRef}': it owns only bundles named '{scope.Function}' or '{scope.Function}.<name>'.")
    {
        StateRef = stateRef;
        Scope = scope;
    }

    public StateRef StateRef { get; }

    public BundleScope Scope { get; }
}
