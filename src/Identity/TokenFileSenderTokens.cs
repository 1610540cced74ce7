namespace Skylark.Events.Identity;

/// <summary>
/// A token kept in a file: a projected service-account token, which the kubelet rewrites before it expires. The file's
/// audience is fixed by the pod spec, so the audience asked for does not change which token is sent. The file is read
/// again when its time or size changed, checked at most every <see cref="CheckInterval"/>.
/// </summary>
public sealed class TokenFileSenderTokens : ISenderTokens
{
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(5);

    private readonly TimeProvider time;
    private volatile Cached? cached;

    public TokenFileSenderTokens(string path, TimeProvider? time = null, TimeSpan? checkInterval = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        this.time = time ?? TimeProvider.System;
        CheckInterval = checkInterval ?? DefaultCheckInterval;
    }

    public string Path { get; }

    public TimeSpan CheckInterval { get; }

    public async ValueTask<string?> GetTokenAsync(string audience, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var known = cached;
        if (known is not null && now - known.CheckedAt < CheckInterval)
        {
            return known.Token;
        }

        var file = new FileInfo(Path);
        if (!file.Exists)
        {
            cached = new Cached(null, default, -1, now);
            return null;
        }

        if (known is not null && known.Written == file.LastWriteTimeUtc && known.Length == file.Length)
        {
            cached = known with { CheckedAt = now };
            return known.Token;
        }

        // Two callers may both read a changed file; they read the same token, and the last one's copy stays.
        var token = (await File.ReadAllTextAsync(Path, cancellationToken)).Trim();
        cached = new Cached(token.Length == 0 ? null : token, file.LastWriteTimeUtc, file.Length, now);
        return cached.Token;
    }

    private sealed record Cached(string? Token, DateTime Written, long Length, DateTimeOffset CheckedAt);
}
