namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Knative's conjunction and disjunction of filter results: <see cref="FilterResult.NoFilter"/> is neutral in both.
/// </summary>
public static class FilterResultLogic
{
    public static FilterResult And(this FilterResult left, FilterResult right) => (left, right) switch
    {
        (FilterResult.NoFilter, _) => right,
        (_, FilterResult.NoFilter) => left,
        (FilterResult.Pass, FilterResult.Pass) => FilterResult.Pass,
        _ => FilterResult.Fail,
    };

    public static FilterResult Or(this FilterResult left, FilterResult right) => (left, right) switch
    {
        (FilterResult.NoFilter, _) => right,
        (_, FilterResult.NoFilter) => left,
        (FilterResult.Pass, _) or (_, FilterResult.Pass) => FilterResult.Pass,
        _ => FilterResult.Fail,
    };

    /// <summary>A trigger delivers an event unless its filter answers <see cref="FilterResult.Fail"/>.</summary>
    public static bool Delivers(this FilterResult result) => result != FilterResult.Fail;
}
