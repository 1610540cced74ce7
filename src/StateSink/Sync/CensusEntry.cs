using Skylark.Events.Contracts;

namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// One bundle in this node's Redis as the census saw it. <see cref="LastAccess"/> is when something other than the
/// census last read or wrote it, from Redis' own LRU clock (one-second resolution).
/// </summary>
public sealed record CensusEntry(string Key, StateRef StateRef, long Version, long SizeBytes, DateTimeOffset LastAccess);
