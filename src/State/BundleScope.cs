using System.Text.RegularExpressions;
using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// Which bundles a store may change. A function owns the bundle named after it and every bundle
/// <c>{function}.{name}</c>; reading is never restricted, because functions consume each other's state.
/// </summary>
public sealed partial record BundleScope
{
    public const string FunctionPattern = "[A-Za-z0-9_-]{1,63}";

    private BundleScope(string? function) => Function = function;

    /// <summary>For node services (StateSink, Predictor, CLI) that manage every bundle.</summary>
    public static BundleScope Unrestricted { get; } = new((string?)null);

    /// <summary>Null when unrestricted.</summary>
    public string? Function { get; }

    public bool IsUnrestricted => Function is null;

    /// <summary>
    /// A scope for <paramref name="function"/>. Function names cannot contain '.', so the owner of
    /// <c>detect.background</c> is unambiguous and <c>detector.x</c> is not owned by <c>detect</c>.
    /// </summary>
    public static BundleScope ForFunction(string function)
    {
        if (function is null || !FunctionRegex().IsMatch(function))
        {
            throw new ArgumentException($"Function name '{function}' must match {FunctionPattern}.", nameof(function));
        }

        return new BundleScope(function);
    }

    public bool Owns(string bundle) =>
        Function is null
        || string.Equals(bundle, Function, StringComparison.Ordinal)
        || (bundle.Length > Function.Length + 1
            && bundle.StartsWith(Function, StringComparison.Ordinal)
            && bundle[Function.Length] == '.');

    /// <exception cref="BundleScopeException">When the bundle is not owned.</exception>
    public void EnsureOwns(StateRef stateRef)
    {
        if (!Owns(stateRef.Bundle))
        {
            throw new BundleScopeException(stateRef, this);
        }
    }

    public override string ToString() => Function is null ? "unrestricted" : $"function '{Function}'";

    [GeneratedRegex("^" + FunctionPattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionRegex();
}
