namespace Skylark.Events.Lab.Replay;

/// <summary>Where and how <see cref="EventReplayer"/> re-sends a recording.</summary>
public sealed record ReplayOptions(Uri Target)
{
    public ReplaySpeed Speed { get; init; } = ReplaySpeed.Max;

    /// <summary>All must match for an event to be sent.</summary>
    public IReadOnlyList<AttributeFilter> Filters { get; init; } = [];

    /// <summary>Give every event a new id (so a broker or subscriber that de-duplicates by id sees new events).</summary>
    public bool FreshIds { get; init; }

    /// <summary>Requests in flight at once; 1 keeps the recorded order at the target.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Attempts per event while the target answers 429 or 503 (backing off between them).</summary>
    public int MaxAttempts { get; init; } = 10;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Target);
        if (!Target.IsAbsoluteUri || (Target.Scheme != Uri.UriSchemeHttp && Target.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The replay target must be an absolute http(s) URL, not '{Target}'.", nameof(Target));
        }

        ArgumentNullException.ThrowIfNull(Filters);
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1, nameof(Concurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
    }
}
