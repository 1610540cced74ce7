namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>The error types every CESQL engine reports (spec 3.3).</summary>
public enum CesqlErrorKind
{
    /// <summary>The expression does not follow the grammar.</summary>
    Parse,

    /// <summary>A division or modulo by zero, or an integer overflow.</summary>
    Math,

    /// <summary>An implicit or explicit type cast failed.</summary>
    Cast,

    /// <summary>The expression addressed an attribute the event does not carry.</summary>
    MissingAttribute,

    /// <summary>No function with that name and arity exists.</summary>
    MissingFunction,

    /// <summary>A built-in function rejected its arguments.</summary>
    FunctionEvaluation,
}
