namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>Collects evaluation errors; allocates only once the first error occurs, so clean evaluations stay allocation-free.</summary>
internal struct CesqlErrorSink
{
    private List<CesqlError>? _errors;

    public readonly int Count => _errors?.Count ?? 0;

    public void Add(CesqlErrorKind kind, string message) => (_errors ??= []).Add(new CesqlError(kind, message));

    public readonly IReadOnlyList<CesqlError>? ToList() => _errors;
}
