using Skylark.Events.Contracts;

namespace Skylark.Events.Predictor.Completions;

/// <summary>A bundle a function read, as its report lists it: where from (<c>local</c>, <c>waited</c>, <c>remote</c>, <c>absent</c>) and its size.</summary>
public sealed record BundleRead(StateRef Ref, string Source, long? Bytes)
{
    /// <summary>An optional bundle that did not exist where it was looked for.</summary>
    public bool IsAbsent => string.Equals(Source, "absent", StringComparison.OrdinalIgnoreCase);
}
