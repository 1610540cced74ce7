using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters.Cesql;

namespace Skylark.Events.Eventing.Filters;

/// <summary>
/// Knative's <c>cesql</c> dialect: passes when the expression evaluates to Boolean <c>true</c> without errors
/// (spec 1.2); any other value or any evaluation error fails. An empty expression tests nothing.
/// </summary>
public sealed class CesqlFilter : IEventFilter
{
    /// <exception cref="CesqlParseException">The expression is not valid CESQL.</exception>
    public CesqlFilter(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        Expression = expression.Length == 0 ? null : CesqlExpression.Parse(expression);
    }

    public CesqlFilter(CesqlExpression expression) =>
        Expression = expression ?? throw new ArgumentNullException(nameof(expression));

    /// <summary><see langword="null"/> for an empty expression.</summary>
    public CesqlExpression? Expression { get; }

    public FilterResult Filter(CloudEvent cloudEvent)
    {
        if (Expression is null)
        {
            return FilterResult.NoFilter;
        }

        return Expression.Evaluate(cloudEvent).IsTrueWithoutErrors ? FilterResult.Pass : FilterResult.Fail;
    }
}
