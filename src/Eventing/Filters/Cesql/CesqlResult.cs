namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// The outcome of evaluating a CESQL expression (spec 1): a value that is always defined, and the errors met on the way.
/// When an operand fails, the operator consuming it yields the zero value of its return type.
/// </summary>
public readonly struct CesqlResult
{
    private readonly IReadOnlyList<CesqlError>? _errors;

    public CesqlResult(CesqlValue value, IReadOnlyList<CesqlError>? errors = null)
    {
        Value = value;
        _errors = errors is { Count: > 0 } ? errors : null;
    }

    public CesqlValue Value { get; }

    public IReadOnlyList<CesqlError> Errors => _errors ?? [];

    public bool HasErrors => _errors is not null;

    /// <summary>The Subscriptions API reading (spec 1.2): a Boolean <c>true</c> with no errors.</summary>
    public bool IsTrueWithoutErrors => !HasErrors && Value.Type == CesqlType.Boolean && Value.BooleanValue;

    public override string ToString() =>
        HasErrors ? $"{Value} with errors [{string.Join("; ", Errors)}]" : Value.ToString();
}
