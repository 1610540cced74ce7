using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters.Cesql;

namespace Skylark.Events.Tests.Eventing.Filters.Cesql;

public class CesqlParsingTests
{
    private static readonly CloudEvent Event = new()
    {
        Id = "1",
        Source = new Uri("/src", UriKind.Relative),
        Type = "t",
    };

    [Theory]
    [InlineData("2 + 3 * 4", 14)]
    [InlineData("2 * 3 + 4", 10)]
    [InlineData("10 - 4 - 3", 3)]
    [InlineData("100 / 10 / 5", 2)]
    [InlineData("-2 * -3", 6)]
    [InlineData("7 % 4 * 2", 6)]
    [InlineData("4-1", 3)]
    [InlineData("+5 - 2", 3)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("LENGTH('ab') * 2", 4)]
    public void Arithmetic_follows_the_usual_precedence_and_associates_to_the_left(string expression, int expected)
    {
        Assert.Equal(CesqlValue.FromInteger(expected), Evaluate(expression));
    }

    [Theory]
    [InlineData("TRUE OR FALSE AND FALSE", false)]
    [InlineData("FALSE AND FALSE OR TRUE", true)]
    [InlineData("1 + 1 = 2 AND 2 < 3", true)]
    [InlineData("1 < 2 = TRUE", true)]
    [InlineData("NOT FALSE = FALSE", false)]
    [InlineData("'abc' LIKE 'a%' = TRUE", true)]
    [InlineData("2 IN (1, 2) AND 3 NOT IN (1, 2)", true)]
    [InlineData("NOT EXISTS subject", true)]
    [InlineData("nOt tRuE", false)]
    public void Logic_operators_share_one_level_below_comparisons(string expression, bool expected)
    {
        Assert.Equal(CesqlValue.FromBoolean(expected), Evaluate(expression));
    }

    [Theory]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("'it''s'", "it's")]
    [InlineData("'a\\%b'", "a\\%b")]
    [InlineData("''", "")]
    public void String_literals_unescape_only_their_own_quote(string expression, string expected)
    {
        Assert.Equal(CesqlValue.FromString(expected), Evaluate(expression));
    }

    [Fact]
    public void Identifiers_keywords_and_function_names_are_case_insensitive()
    {
        var cloudEvent = new CloudEvent { Id = "1", Source = new Uri("/src", UriKind.Relative), Type = "t" };
        cloudEvent["myext"] = "value";

        var result = CesqlExpression.Parse("MyExt = 'value' aNd Upper(myext) = 'VALUE' AND exists MYEXT").Evaluate(cloudEvent);

        Assert.Equal(CesqlValue.True, result.Value);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("   ", 0, "empty")]
    [InlineData("ABC(", 4, "end of the expression")]
    [InlineData("(1 + 2", 6, "')' closing the '(' at position 0")]
    [InlineData("1 + ", 4, "end of the expression")]
    [InlineData("1 2", 2, "integer literal 2")]
    [InlineData("x LIKE 123", 7, "LIKE pattern must be a string literal")]
    [InlineData("x IN ()", 6, "')'")]
    [InlineData("EXISTS 'id'", 7, "attribute name after EXISTS")]
    [InlineData("'open", 0, "Unterminated string literal")]
    [InlineData("a ! b", 2, "'!' must be followed by '='")]
    [InlineData("a # b", 2, "Unexpected character '#'")]
    [InlineData("2147483648", 0, "outside the 32-bit range")]
    [InlineData("-2147483649", 0, "outside the 32-bit range")]
    [InlineData("my_attr = 1", 8, "'(' after function name 'my_attr'")]
    [InlineData("+ 'a'", 0, "Unexpected '+'")]
    public void Reports_parse_errors_with_their_position(string expression, int position, string reason)
    {
        var error = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(expression));

        Assert.Equal(position, error.Position);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(at position {position})", error.Message, StringComparison.Ordinal);
        Assert.Equal(CesqlErrorKind.Parse, error.ToError().Kind);
    }

    [Fact]
    public void TryParse_returns_the_expression_or_the_error_message()
    {
        Assert.True(CesqlExpression.TryParse("type = 't'", out var parsed, out var none));
        Assert.Equal("type = 't'", parsed.Text);
        Assert.Null(none);

        Assert.False(CesqlExpression.TryParse("type =", out var failed, out var error));
        Assert.Null(failed);
        Assert.Contains("at position 6", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_nesting_deep_enough_to_threaten_the_stack()
    {
        var deepParentheses = new string('(', 10_000) + "1" + new string(')', 10_000);
        var longChain = string.Join(" + ", Enumerable.Repeat("1", 10_000));
        var manyNots = string.Concat(Enumerable.Repeat("NOT ", 10_000)) + "TRUE";

        Assert.Contains("nests deeper", Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(deepParentheses)).Message, StringComparison.Ordinal);
        Assert.Contains("nests deeper", Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(longChain)).Message, StringComparison.Ordinal);
        Assert.Contains("nests deeper", Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(manyNots)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_the_static_result_type()
    {
        Assert.Equal(CesqlType.Boolean, CesqlExpression.Parse("a = b").ResultType);
        Assert.Equal(CesqlType.Integer, CesqlExpression.Parse("a + b").ResultType);
        Assert.Equal(CesqlType.String, CesqlExpression.Parse("CONCAT(a, b)").ResultType);
        Assert.Null(CesqlExpression.Parse("a").ResultType);
    }

    private static CesqlValue Evaluate(string expression)
    {
        var result = CesqlExpression.Parse(expression).Evaluate(Event);
        Assert.Empty(result.Errors);
        return result.Value;
    }
}
