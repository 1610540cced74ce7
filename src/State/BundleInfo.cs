using Skylark.Events.Contracts;

namespace Skylark.Events.State;

/// <summary>
/// A bundle's metadata without its items, as listed by <see cref="BundleStore.ListAsync"/>.
/// <see cref="TimeToLive"/> is the time left before Redis expires the bundle; null when it never expires.
/// </summary>
public sealed record BundleInfo(StateRef StateRef, long Version, DateTimeOffset UpdatedAt, long SizeBytes, TimeSpan? TimeToLive);
