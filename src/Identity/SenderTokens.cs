namespace Skylark.Events.Identity;

/// <summary>The simplest token sources: none at all (sender identity off), or one token given whole (a tool acting as one identity).</summary>
public static class SenderTokens
{
    public static ISenderTokens None { get; } = new Fixed(null);

    public static ISenderTokens Of(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return new Fixed(token);
    }

    private sealed class Fixed(string? token) : ISenderTokens
    {
        public ValueTask<string?> GetTokenAsync(string audience, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}
