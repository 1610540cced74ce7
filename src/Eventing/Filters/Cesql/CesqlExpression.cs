using System.Diagnostics.CodeAnalysis;
using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// A parsed CloudEvents SQL 1.0 expression. Immutable: parse once, then evaluate from any number of threads.
/// </summary>
public sealed class CesqlExpression
{
    private readonly CesqlNode _root;

    private CesqlExpression(string text, CesqlNode root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The statically known result type, or <see langword="null"/> when it depends on the event (a bare attribute).</summary>
    public CesqlType? ResultType => _root.ResultType;

    /// <exception cref="CesqlParseException">The text is not a valid expression; the message names the position.</exception>
    public static CesqlExpression Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new CesqlExpression(expression, CesqlParser.Parse(expression));
    }

    public static bool TryParse(
        string expression,
        [NotNullWhen(true)] out CesqlExpression? result,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        try
        {
            result = Parse(expression);
            error = null;
            return true;
        }
        catch (CesqlParseException exception)
        {
            result = null;
            error = exception.Message;
            return false;
        }
    }

    /// <summary>
    /// Evaluates the expression in complete-evaluation mode: the value is always defined, and every error met is listed.
    /// </summary>
    public CesqlResult Evaluate(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var errors = default(CesqlErrorSink);
        var value = CesqlEvaluator.Evaluate(_root, cloudEvent, ref errors);
        return new CesqlResult(value, errors.ToList());
    }

    public override string ToString() => Text;
}
