using System.Globalization;
using Skylark.Events.StateSink.Pulling;
using StackExchange.Redis;

namespace Skylark.Events.StateSink.Sync;

/// <summary>
/// Keeps the bundles of this node's Redis within the memory budget by deleting copies, least recently used first.
/// Only copies still at the version they were pulled with (<see cref="CopyLedger"/>) are candidates: another node
/// holds that version, whereas a node's own bundles, and copies a function has written since, exist nowhere else.
/// </summary>
public sealed class LruEvictor
{
    /// <summary>KEYS[1] bundle, KEYS[2] ledger; ARGV[1] version pulled, ARGV[2] ledger field. Deletes only an unchanged copy.</summary>
    private const string EvictScript = """
        if redis.call('HGET', KEYS[1], '_v') == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('HDEL', KEYS[2], ARGV[2])
          return 1
        end
        return 0
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly CopyLedger _ledger;

    public LruEvictor(IConnectionMultiplexer redis, CopyLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(ledger);
        _redis = redis;
        _ledger = ledger;
    }

    /// <summary>Deletes copies until the bundles in <paramref name="census"/> total at most <paramref name="budgetBytes"/>.</summary>
    public async Task<EvictionResult> EvictAsync(
        IReadOnlyList<CensusEntry> census, IReadOnlyDictionary<string, CopyLedgerEntry> copies, long budgetBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(census);
        ArgumentNullException.ThrowIfNull(copies);
        var total = census.Sum(e => e.SizeBytes);
        var evicted = new List<CensusEntry>();
        if (total > budgetBytes)
        {
            var candidates = census
                .Where(e => copies.TryGetValue(CopyLedger.Field(e.StateRef), out var copy) && copy.Version == e.Version)
                .OrderBy(e => e.LastAccess)
                .ThenByDescending(e => e.SizeBytes)
                .ThenBy(e => e.Key, StringComparer.Ordinal);
            var database = _redis.GetDatabase();
            foreach (var candidate in candidates)
            {
                if (total <= budgetBytes)
                {
                    break;
                }

                var deleted = (long)await database.ScriptEvaluateAsync(
                    EvictScript,
                    [candidate.Key, _ledger.Key],
                    [candidate.Version.ToString(CultureInfo.InvariantCulture), CopyLedger.Field(candidate.StateRef)])
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                if (deleted == 1)
                {
                    total -= candidate.SizeBytes;
                    evicted.Add(candidate);
                }
            }
        }

        return new EvictionResult(evicted, total, budgetBytes);
    }
}

/// <summary>What an eviction pass deleted, and the total size of bundles left (over the budget when no copy could go).</summary>
public sealed record EvictionResult(IReadOnlyList<CensusEntry> Evicted, long TotalBytes, long BudgetBytes)
{
    public long EvictedBytes => Evicted.Sum(e => e.SizeBytes);

    public bool OverBudget => TotalBytes > BudgetBytes;
}
