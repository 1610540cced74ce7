using Skylark.Events.Contracts;

namespace Skylark.Events.Predictor.Completions;

/// <summary>A bundle a function wrote, as its report lists it.</summary>
public sealed record BundleWrite(StateRef Ref, long? Bytes);
