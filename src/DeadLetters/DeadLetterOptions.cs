namespace Skylark.Events.DeadLetters;

/// <summary>Configuration of the dead-letter log and its endpoints.</summary>
public sealed class DeadLetterOptions
{
    /// <summary>
    /// Above the broker's 4 MiB event limit, so any event the broker accepted still fits with Knative's error
    /// attributes added.
    /// </summary>
    public const long DefaultMaxEventBytes = 5 * 1024 * 1024;

    /// <summary>The largest <see cref="MaxEventBytes"/>: every record then fits the longest line the log reads back.</summary>
    public const long MaxMaxEventBytes = 8 * 1024 * 1024;

    /// <summary>The JSON Lines file (docs/dead-letters.md); created with mode 0600, its folder with 0700, when missing.</summary>
    public string LogPath { get; set; } = "";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    public long MaxEventBytes { get; set; } = DefaultMaxEventBytes;

    /// <summary>Most dead letters waiting for the disk at once; beyond it senders get 503 with <c>Retry-After</c>.</summary>
    public int MaxQueuedAppends { get; set; } = 1024;

    /// <summary>Most bytes of records waiting for the disk at once (one record is always admitted into an empty queue).</summary>
    public long MaxQueuedBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Most records one write and fsync covers.</summary>
    public int MaxBatchRecords { get; set; } = 512;

    /// <summary>Most bytes one write and fsync covers (a single larger record is written alone).</summary>
    public long MaxBatchBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Records <c>GET /dead-letters</c> returns when no <c>limit</c> is given.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>The largest <c>limit</c> accepted.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>A page stops before this many bytes of records (it always holds at least one); <c>next</c> continues.</summary>
    public long MaxPageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>What a 503 for a full queue tells the sender to wait.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(LogPath))
        {
            throw new ArgumentException("DeadLetterOptions.LogPath is required: the file dead letters are kept in.");
        }

        if (MaxEventBytes < 1 || MaxEventBytes > MaxMaxEventBytes)
        {
            throw new ArgumentException($"DeadLetterOptions.MaxEventBytes must be from 1 to {MaxMaxEventBytes}; got {MaxEventBytes}.");
        }

        RequirePositive(MaxQueuedAppends, nameof(MaxQueuedAppends));
        RequirePositive(MaxQueuedBytes, nameof(MaxQueuedBytes));
        RequirePositive(MaxBatchRecords, nameof(MaxBatchRecords));
        RequirePositive(MaxBatchBytes, nameof(MaxBatchBytes));
        RequirePositive(DefaultPageSize, nameof(DefaultPageSize));
        RequirePositive(MaxPageSize, nameof(MaxPageSize));
        if (DefaultPageSize > MaxPageSize)
        {
            throw new ArgumentException($"DeadLetterOptions.DefaultPageSize ({DefaultPageSize}) must not exceed MaxPageSize ({MaxPageSize}).");
        }

        RequirePositive(MaxPageBytes, nameof(MaxPageBytes));
        if (RetryAfter < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"DeadLetterOptions.RetryAfter must be at least 1 s (Retry-After counts whole seconds); got {RetryAfter}.");
        }
    }

    private static void RequirePositive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"DeadLetterOptions.{name} must be positive; got {value}.");
        }
    }
}
