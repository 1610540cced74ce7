using Skylark.Events.Eventing.Filters.Cesql;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Optional checks the loader delegates to other components.</summary>
public sealed record ResourceLoaderOptions
{
    /// <summary>Full validation, CESQL syntax included, as Knative's webhook does before it admits a Trigger.</summary>
    public static readonly ResourceLoaderOptions Default = new() { ValidateCesql = ValidateCesqlSyntax };

    /// <summary>
    /// Syntax-checks a Trigger <c>cesql</c> filter: returns null when the expression parses, otherwise an error
    /// message that includes the position. When unset, CESQL expressions are only checked for being non-empty.
    /// </summary>
    public Func<string, string?>? ValidateCesql { get; init; }

    private static string? ValidateCesqlSyntax(string expression) =>
        CesqlExpression.TryParse(expression, out _, out var error) ? null : error;
}
