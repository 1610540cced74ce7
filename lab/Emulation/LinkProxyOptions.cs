namespace Skylark.Events.Lab.Emulation;

/// <summary>Buffering and shaping knobs of a <see cref="LinkProxy"/>; the defaults suit links of 1 Mbit/s to ~1 Gbit/s and up to a few hundred ms.</summary>
public sealed record LinkProxyOptions
{
    /// <summary>
    /// Largest chunk read from a socket at once; each chunk is delayed and shaped as a unit (its bytes
    /// arrive together, when its last bit would have).
    /// </summary>
    public int ChunkBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Reads are sized so a chunk spends about this long on the emulated wire (never below 1500 bytes,
    /// never above <see cref="ChunkBytes"/>). A chunk is stored and forwarded whole, so at low bandwidth
    /// big chunks would add their own serialisation time at every hop; tiny chunks would cost CPU.
    /// </summary>
    public TimeSpan ChunkDuration { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Bytes a direction may send back-to-back after being idle (token bucket depth).</summary>
    public int BurstBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// Chunks in flight per connection and direction (read, waiting out their latency). Each holds only
    /// the bytes read, so memory is at most <c>MaxQueuedChunks × ChunkBytes</c> and usually the link's
    /// bandwidth-delay product; when full the proxy stops reading and TCP pushes back on the sender.
    /// The default carries up to 8 MiB in flight (e.g. 90 Mbit/s over 700 ms).
    /// </summary>
    public int MaxQueuedChunks { get; init; } = 128;

    /// <summary>
    /// How far ahead of the wire a direction may schedule data (the emulated router queue), measured at the
    /// connection's fair share of its busiest wire, so connections sharing a wire queue this much together.
    /// Beyond it the proxy stops reading and the sender waits in TCP. Larger than timer slack on a busy machine, so the
    /// wire never idles while data is waiting; small enough that a request behind a bulk transfer is not
    /// delayed for seconds.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Connections served at once; further ones are closed on accept.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>How often a direction re-asks for conditions while the link is down (provider returned null).</summary>
    public TimeSpan DownPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How many bytes to read next on a link of <paramref name="bytesPerSecond"/>.</summary>
    internal int ReadSize(double bytesPerSecond) =>
        (int)Math.Clamp(bytesPerSecond * ChunkDuration.TotalSeconds, Math.Min(1500, ChunkBytes), ChunkBytes);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 1, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ChunkDuration, TimeSpan.Zero, nameof(ChunkDuration));
        ArgumentOutOfRangeException.ThrowIfLessThan(BurstBytes, 1, nameof(BurstBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedChunks, 1, nameof(MaxQueuedChunks));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(DownPollInterval, TimeSpan.Zero, nameof(DownPollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxQueueDelay, TimeSpan.Zero, nameof(MaxQueueDelay));
    }
}
