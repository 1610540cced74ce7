using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters.Cesql;

namespace Skylark.Events.Tests.Eventing.Filters.Cesql;

/// <summary>Semantics the TCK leaves open, pinned down here.</summary>
public class CesqlEvaluationTests
{
    [Theory]
    [InlineData("2147483647 + 1")]
    [InlineData("-2147483648 - 1")]
    [InlineData("65536 * 65536")]
    [InlineData("-2147483648 / -1")]
    [InlineData("-(-2147483648)")]
    public void Integer_overflow_is_a_math_error_with_the_zero_value(string expression)
    {
        var result = Evaluate(expression);

        Assert.Equal(CesqlValue.ZeroInteger, result.Value);
        Assert.Equal(CesqlErrorKind.Math, Assert.Single(result.Errors).Kind);
    }

    [Theory]
    [InlineData("-7 / 2", -3)]
    [InlineData("-7 % 2", -1)]
    [InlineData("7 % -2", 1)]
    [InlineData("-2147483648 % -1", 0)]
    public void Division_truncates_and_the_remainder_keeps_the_dividends_sign(string expression, int expected)
    {
        var result = Evaluate(expression);

        Assert.Equal(CesqlValue.FromInteger(expected), result.Value);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void A_failed_implicit_cast_in_an_operator_reports_a_cast_error()
    {
        var result = Evaluate("'abc' + 1");

        Assert.Equal(CesqlValue.FromInteger(1), result.Value);
        Assert.Equal(CesqlErrorKind.Cast, Assert.Single(result.Errors).Kind);
    }

    [Fact]
    public void An_operator_stops_at_the_first_failing_operand()
    {
        var result = Evaluate("missing = (1 / 0)");

        Assert.Equal(CesqlValue.False, result.Value);
        Assert.Equal(CesqlErrorKind.MissingAttribute, Assert.Single(result.Errors).Kind);
    }

    [Fact]
    public void A_function_with_a_failing_argument_yields_its_zero_value()
    {
        var result = Evaluate("LENGTH(missing)");

        Assert.Equal(CesqlValue.ZeroInteger, result.Value);
        Assert.Equal(CesqlErrorKind.MissingAttribute, Assert.Single(result.Errors).Kind);
    }

    [Theory]
    [InlineData("IS_INT('12')", true)]
    [InlineData("IS_INT('1.5')", false)]
    [InlineData("IS_BOOL('False')", true)]
    [InlineData("IS_BOOL(2)", true)]
    [InlineData("IS_BOOL('yes')", false)]
    public void Is_functions_tell_whether_an_explicit_cast_would_succeed(string expression, bool expected)
    {
        var result = Evaluate(expression);

        Assert.Equal(CesqlValue.FromBoolean(expected), result.Value);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("LENGTH('a😀b')", "3")]
    [InlineData("LEFT('😀x', 1)", "'😀'")]
    [InlineData("RIGHT('x😀', 1)", "'😀'")]
    [InlineData("SUBSTRING('a😀b', 2, 1)", "'😀'")]
    [InlineData("'😀' LIKE '_'", "true")]
    [InlineData("TRIM('\u00a0\tx\u2003')", "'x'")]
    public void String_functions_count_unicode_characters(string expression, string expected)
    {
        var result = Evaluate(expression);

        Assert.Equal(expected, result.Value.ToString());
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("'a\\b' LIKE 'a\\b'", true)]
    [InlineData("'100%' LIKE '100\\%'", true)]
    [InlineData("'1000' LIKE '100\\%'", false)]
    [InlineData("'aXbXc' LIKE 'a%b%c'", true)]
    [InlineData("'abcabd' LIKE '%abd'", true)]
    [InlineData("'ab' LIKE '%%%'", true)]
    [InlineData("'' LIKE '%'", true)]
    [InlineData("'' LIKE '_'", false)]
    public void Like_treats_only_escaped_wildcards_as_literals(string expression, bool expected)
    {
        var result = Evaluate(expression);

        Assert.Equal(CesqlValue.FromBoolean(expected), result.Value);
    }

    [Fact]
    public void Like_matching_does_not_explode_on_adversarial_patterns()
    {
        var text = new string('a', 5_000);
        var result = Evaluate($"'{text}' LIKE '%a%a%a%a%a%a%a%a%b'");

        Assert.Equal(CesqlValue.False, result.Value);
    }

    [Fact]
    public void Reads_every_context_attribute_as_its_canonical_string()
    {
        var cloudEvent = new CloudEvent
        {
            Id = "id-1",
            Source = new Uri("urn:skylark:sat-1"),
            Type = "t",
            Subject = "s",
            Time = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
            DataContentType = "application/json",
            DataSchema = new Uri("https://example.com/schema.json"),
        };

        var result = CesqlExpression.Parse(
            "CONCAT_WS('|', specversion, id, source, type, subject, time, datacontenttype, dataschema)").Evaluate(cloudEvent);

        Assert.Equal(
            CesqlValue.FromString("1.0|id-1|urn:skylark:sat-1|t|s|2024-01-02T03:04:05+02:00|application/json|https://example.com/schema.json"),
            result.Value);
    }

    [Fact]
    public void Missing_functions_are_evaluation_errors_not_parse_errors()
    {
        var result = Evaluate("NO_SUCH_FUNCTION(1) OR TRUE");

        Assert.Equal(CesqlValue.False, result.Value);
        Assert.Equal(CesqlErrorKind.MissingFunction, Assert.Single(result.Errors).Kind);
        Assert.Contains("NO_SUCH_FUNCTION", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parsed_expression_evaluates_consistently_across_threads()
    {
        var expression = CesqlExpression.Parse("CONCAT(id, '-', STRING(seq * 2)) = CONCAT('e', seq, '-', STRING(seq * 2))");

        Parallel.For(0, 200, i =>
        {
            var cloudEvent = new CloudEvent { Id = $"e{i}", Source = new Uri("/s", UriKind.Relative), Type = "t" };
            cloudEvent[CloudEventAttribute.CreateExtension("seq", CloudEventAttributeType.Integer)] = i;

            var result = expression.Evaluate(cloudEvent);

            Assert.True(result.IsTrueWithoutErrors, result.ToString());
        });
    }

    private static CesqlResult Evaluate(string expression) =>
        CesqlExpression.Parse(expression).Evaluate(new CloudEvent { Id = "1", Source = new Uri("/src", UriKind.Relative), Type = "t" });
}
