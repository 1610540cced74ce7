namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>One error collected while parsing or evaluating a CESQL expression.</summary>
public sealed record CesqlError(CesqlErrorKind Kind, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}
