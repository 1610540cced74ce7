namespace Skylark.Events.Eventing.Filters;

/// <summary>Knative's eventfilter.FilterResult: a filter with nothing to test answers <see cref="NoFilter"/>.</summary>
public enum FilterResult
{
    NoFilter,
    Pass,
    Fail,
}
