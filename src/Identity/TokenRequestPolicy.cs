namespace Skylark.Events.Identity;

/// <summary>
/// Which callers of the local issuer's <c>/token</c> may obtain tokens for which subjects: the broker for its Triggers'
/// and PingSources' identities, nobody for anyone else unless said.
/// </summary>
public sealed class TokenRequestPolicy
{
    private readonly Func<string, string, bool> allows;

    private TokenRequestPolicy(Func<string, string, bool> allows) => this.allows = allows;

    /// <summary>No caller obtains any token.</summary>
    public static TokenRequestPolicy None { get; } = new((_, _) => false);

    /// <summary>A policy decided by <paramref name="allows"/>(caller subject, requested subject).</summary>
    public static TokenRequestPolicy From(Func<string, string, bool> allows)
    {
        ArgumentNullException.ThrowIfNull(allows);
        return new TokenRequestPolicy(allows);
    }

    /// <summary>
    /// Each caller subject may obtain tokens for subjects starting with one of its prefixes, e.g.
    /// <c>system:serviceaccount:skylark:broker</c> → <c>system:serviceaccount:skylark:trigger-</c>. A prefix equal to a
    /// whole subject allows exactly that subject.
    /// </summary>
    public static TokenRequestPolicy FromPrefixes(IReadOnlyDictionary<string, IReadOnlyList<string>> subjectPrefixesByCaller)
    {
        ArgumentNullException.ThrowIfNull(subjectPrefixesByCaller);
        var copy = subjectPrefixesByCaller.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        if (copy.Values.SelectMany(p => p).Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("An empty prefix would allow every subject; name them.", nameof(subjectPrefixesByCaller));
        }

        return new TokenRequestPolicy((caller, subject) =>
            copy.TryGetValue(caller, out var prefixes) && prefixes.Any(p => subject.StartsWith(p, StringComparison.Ordinal)));
    }

    public bool Allows(string caller, string subject)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(subject);
        return allows(caller, subject);
    }
}
