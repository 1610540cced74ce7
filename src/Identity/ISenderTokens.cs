namespace Skylark.Events.Identity;

/// <summary>Where a sender gets the bearer token it sends to a receiver.</summary>
public interface ISenderTokens
{
    /// <summary>A token for <paramref name="audience"/>, or null when the sender has none (the receiver then answers 401 if it checks).</summary>
    ValueTask<string?> GetTokenAsync(string audience, CancellationToken cancellationToken);
}
