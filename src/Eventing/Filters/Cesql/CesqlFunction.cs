namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>The body of a function: arguments already cast to the parameter types. It reports its own errors.</summary>
internal delegate CesqlValue CesqlFunctionBody(ReadOnlySpan<CesqlValue> arguments, ref CesqlErrorSink errors);

/// <summary>
/// A function definition (spec 3.5): a name, fixed parameters, optionally a trailing variadic parameter, and a return
/// type. A <see langword="null"/> parameter type accepts any value uncast (the casting functions need that).
/// </summary>
internal sealed class CesqlFunction
{
    private readonly CesqlType?[] _parameters;

    public CesqlFunction(
        string name,
        CesqlType returnType,
        CesqlType?[] parameters,
        CesqlFunctionBody body,
        CesqlType? variadicParameter = null,
        bool isVariadic = false)
    {
        Name = name;
        ReturnType = returnType;
        _parameters = parameters;
        Body = body;
        VariadicParameter = variadicParameter;
        IsVariadic = isVariadic;
    }

    public string Name { get; }

    public CesqlType ReturnType { get; }

    public int FixedArity => _parameters.Length;

    public bool IsVariadic { get; }

    public CesqlType? VariadicParameter { get; }

    public CesqlFunctionBody Body { get; }

    public bool Accepts(int arity) => IsVariadic ? arity >= _parameters.Length : arity == _parameters.Length;

    public CesqlType? ParameterType(int index) => index < _parameters.Length ? _parameters[index] : VariadicParameter;
}
