namespace Skylark.Events.Cli.Emulation;

/// <summary>Buffering and shaping knobs of a <see cref="LinkProxy"/>; the defaults suit links up to ~1 Gbit/s and ~100 ms.</summary>
public sealed record LinkProxyOptions
{
    /// <summary>Largest chunk read from a socket at once; each chunk is delayed and shaped as a unit.</summary>
    public int ChunkBytes { get; init; } = 16 * 1024;

    /// <summary>Bytes a direction may send back-to-back after being idle (token bucket depth).</summary>
    public int BurstBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// Chunks in flight per direction (read, waiting out their latency). Bounds memory at
    /// <c>MaxQueuedChunks × ChunkBytes</c> per direction; when full the proxy stops reading and TCP pushes back on the sender.
    /// </summary>
    public int MaxQueuedChunks { get; init; } = 256;

    /// <summary>Connections served at once; further ones are closed on accept.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>How often a direction re-asks for conditions while the link is down (provider returned null).</summary>
    public TimeSpan DownPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 1, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(BurstBytes, 1, nameof(BurstBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedChunks, 1, nameof(MaxQueuedChunks));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DownPollInterval, TimeSpan.Zero, nameof(DownPollInterval));
    }
}
