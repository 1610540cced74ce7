using System.Collections.Concurrent;

namespace Skylark.Events.Identity;

/// <summary>
/// Tokens already verified, so a sender presenting the same token again (a service sends its projected token for
/// hours) costs a lookup instead of a signature check. An entry holds only while the token has not expired and the
/// receiver still has the key set it was verified with (keys are fetched again every few minutes, which drops every
/// entry, so a retired key stops being trusted as it would without the cache). Failures are never kept: a sender
/// cannot fill the cache with garbage, only with tokens the issuer signed. Bounded: when full it starts over.
/// </summary>
internal sealed class VerifiedTokens(TimeProvider time, int capacity = VerifiedTokens.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<(string Token, string Audience), Entry> entries = new();

    public bool TryGet(string token, string audience, object keySet, out string subject)
    {
        if (entries.TryGetValue((token, audience), out var entry) && ReferenceEquals(entry.KeySet, keySet) && time.GetUtcNow() < entry.Expires)
        {
            subject = entry.Subject;
            return true;
        }

        subject = "";
        return false;
    }

    public void Add(string token, string audience, object keySet, string subject, DateTimeOffset expires)
    {
        if (entries.Count >= capacity)
        {
            entries.Clear();
        }

        entries[(token, audience)] = new Entry(subject, expires, keySet);
    }

    private sealed record Entry(string Subject, DateTimeOffset Expires, object KeySet);
}
