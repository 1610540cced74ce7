using System.Globalization;

namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// Recursive-descent parser. Precedence, loosest first (spec 3.6): AND/OR/XOR; comparisons; + -; * / %;
/// IN and LIKE (postfix); unary NOT and -; EXISTS, literals, attributes, function calls and parentheses.
/// Operators of equal precedence associate to the left.
/// </summary>
internal sealed class CesqlParser
{
    /// <summary>Bounds recursion so a hostile expression cannot overflow the stack while parsing or evaluating.</summary>
    public const int MaxDepth = 128;

    private readonly List<CesqlToken> _tokens;
    private int _index;
    private int _nesting;

    private CesqlParser(List<CesqlToken> tokens) => _tokens = tokens;

    private CesqlToken Current => _tokens[_index];

    private CesqlToken Next => _tokens[Math.Min(_index + 1, _tokens.Count - 1)];

    public static CesqlNode Parse(string expression)
    {
        var parser = new CesqlParser(CesqlLexer.Tokenize(expression));
        if (parser.Current.Kind == CesqlTokenKind.End)
        {
            throw new CesqlParseException("The expression is empty", 0);
        }

        var root = parser.ParseLogic();
        if (parser.Current.Kind != CesqlTokenKind.End)
        {
            throw Unexpected(parser.Current, "an operator or the end of the expression");
        }

        return root;
    }

    private static CesqlParseException Unexpected(CesqlToken token, string expected) =>
        new($"Unexpected {token.Describe()}, expected {expected}", token.Position);

    private CesqlToken Advance() => _tokens[_index++];

    private CesqlToken Expect(CesqlTokenKind kind, string description) =>
        Current.Kind == kind ? Advance() : throw Unexpected(Current, description);

    private T Checked<T>(T node)
        where T : CesqlNode =>
        node.Depth > MaxDepth
            ? throw new CesqlParseException($"The expression nests deeper than {MaxDepth} levels", node.Position)
            : node;

    private void Enter(CesqlToken token)
    {
        if (++_nesting > MaxDepth)
        {
            throw new CesqlParseException($"The expression nests deeper than {MaxDepth} levels", token.Position);
        }
    }

    private CesqlNode ParseLogic()
    {
        var left = ParseComparison();
        while (Current.Kind is CesqlTokenKind.And or CesqlTokenKind.Or or CesqlTokenKind.Xor)
        {
            var op = Advance();
            var kind = op.Kind switch
            {
                CesqlTokenKind.And => CesqlBinaryOperator.And,
                CesqlTokenKind.Or => CesqlBinaryOperator.Or,
                _ => CesqlBinaryOperator.Xor,
            };
            left = Checked(new CesqlBinaryNode(op.Position, kind, left, ParseComparison()));
        }

        return left;
    }

    private CesqlNode ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            CesqlBinaryOperator? kind = Current.Kind switch
            {
                CesqlTokenKind.Equal => CesqlBinaryOperator.Equal,
                CesqlTokenKind.NotEqual or CesqlTokenKind.LessGreater => CesqlBinaryOperator.NotEqual,
                CesqlTokenKind.Less => CesqlBinaryOperator.Less,
                CesqlTokenKind.LessOrEqual => CesqlBinaryOperator.LessOrEqual,
                CesqlTokenKind.Greater => CesqlBinaryOperator.Greater,
                CesqlTokenKind.GreaterOrEqual => CesqlBinaryOperator.GreaterOrEqual,
                _ => null,
            };
            if (kind is null)
            {
                return left;
            }

            var op = Advance();
            left = Checked(new CesqlBinaryNode(op.Position, kind.Value, left, ParseAdditive()));
        }
    }

    private CesqlNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is CesqlTokenKind.Plus or CesqlTokenKind.Minus)
        {
            var op = Advance();
            var kind = op.Kind == CesqlTokenKind.Plus ? CesqlBinaryOperator.Add : CesqlBinaryOperator.Subtract;
            left = Checked(new CesqlBinaryNode(op.Position, kind, left, ParseMultiplicative()));
        }

        return left;
    }

    private CesqlNode ParseMultiplicative()
    {
        var left = ParsePostfix();
        while (Current.Kind is CesqlTokenKind.Star or CesqlTokenKind.Slash or CesqlTokenKind.Percent)
        {
            var op = Advance();
            var kind = op.Kind switch
            {
                CesqlTokenKind.Star => CesqlBinaryOperator.Multiply,
                CesqlTokenKind.Slash => CesqlBinaryOperator.Divide,
                _ => CesqlBinaryOperator.Modulo,
            };
            left = Checked(new CesqlBinaryNode(op.Position, kind, left, ParsePostfix()));
        }

        return left;
    }

    /// <summary><c>x [NOT] LIKE 'pattern'</c> and <c>x [NOT] IN (a, b, ...)</c>.</summary>
    private CesqlNode ParsePostfix()
    {
        var operand = ParseUnary();
        while (true)
        {
            var negated = Current.Kind == CesqlTokenKind.Not && Next.Kind is CesqlTokenKind.Like or CesqlTokenKind.In;
            var op = negated ? Next : Current;
            if (op.Kind == CesqlTokenKind.Like)
            {
                _index += negated ? 2 : 1;
                var pattern = Current.Kind == CesqlTokenKind.String
                    ? Advance()
                    : throw new CesqlParseException($"The LIKE pattern must be a string literal, not {Current.Describe()}", Current.Position);
                operand = Checked(new CesqlLikeNode(op.Position, operand, new CesqlLikePattern(pattern.Text), negated));
            }
            else if (op.Kind == CesqlTokenKind.In)
            {
                _index += negated ? 2 : 1;
                operand = Checked(new CesqlInNode(op.Position, operand, ParseList(requireOne: true, "IN"), negated));
            }
            else
            {
                return operand;
            }
        }
    }

    private CesqlNode ParseUnary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case CesqlTokenKind.Not:
                Advance();
                Enter(token);
                var negated = ParseUnary();
                _nesting--;
                return Checked(new CesqlUnaryNode(token.Position, CesqlUnaryOperator.Not, negated));

            // A sign directly before digits is part of the integer literal (spec 2.2), so -2147483648 is valid.
            case CesqlTokenKind.Minus or CesqlTokenKind.Plus when Next.Kind == CesqlTokenKind.Integer:
                Advance();
                var digits = Advance();
                return new CesqlLiteralNode(token.Position, IntegerLiteral(token.Text + digits.Text, token.Position));

            case CesqlTokenKind.Minus:
                Advance();
                Enter(token);
                var operand = ParseUnary();
                _nesting--;
                return Checked(new CesqlUnaryNode(token.Position, CesqlUnaryOperator.Negate, operand));

            default:
                return ParsePrimary();
        }
    }

    private CesqlNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case CesqlTokenKind.True or CesqlTokenKind.False:
                Advance();
                return new CesqlLiteralNode(token.Position, CesqlValue.FromBoolean(token.Kind == CesqlTokenKind.True));

            case CesqlTokenKind.Integer:
                Advance();
                return new CesqlLiteralNode(token.Position, IntegerLiteral(token.Text, token.Position));

            case CesqlTokenKind.String:
                Advance();
                return new CesqlLiteralNode(token.Position, CesqlValue.FromString(token.Text));

            case CesqlTokenKind.Exists:
                Advance();
                var name = Expect(CesqlTokenKind.Identifier, "an attribute name after EXISTS");
                return new CesqlExistsNode(token.Position, AttributeName(name));

            case CesqlTokenKind.Identifier when Next.Kind == CesqlTokenKind.LeftParenthesis:
            case CesqlTokenKind.FunctionName:
                return ParseCall();

            case CesqlTokenKind.Identifier:
                Advance();
                return new CesqlAttributeNode(token.Position, AttributeName(token));

            case CesqlTokenKind.LeftParenthesis:
                Advance();
                Enter(token);
                var inner = ParseLogic();
                _nesting--;
                Expect(CesqlTokenKind.RightParenthesis, "')' closing the '(' at position " + token.Position.ToString(CultureInfo.InvariantCulture));
                return inner;

            default:
                throw Unexpected(token, "a value, an attribute, a function call or '('");
        }
    }

    private CesqlNode ParseCall()
    {
        var nameToken = Advance();
        if (Current.Kind != CesqlTokenKind.LeftParenthesis)
        {
            throw Unexpected(Current, $"'(' after function name '{nameToken.Text}'");
        }

        var name = nameToken.Text.ToUpperInvariant();
        var arguments = ParseList(requireOne: false, name);
        var function = CesqlBuiltInFunctions.Resolve(name, arguments.Length);
        return function is null
            ? new CesqlMissingFunctionNode(nameToken.Position, name, arguments.Length)
            : Checked(new CesqlFunctionCallNode(nameToken.Position, function, arguments));
    }

    /// <summary>A parenthesised, comma-separated list of expressions: function arguments or an IN set.</summary>
    private CesqlNode[] ParseList(bool requireOne, string owner)
    {
        var open = Expect(CesqlTokenKind.LeftParenthesis, $"'(' opening the {owner} list");
        Enter(open);
        var items = new List<CesqlNode>();
        if (Current.Kind == CesqlTokenKind.RightParenthesis && !requireOne)
        {
            Advance();
            _nesting--;
            return [];
        }

        while (true)
        {
            items.Add(ParseLogic());
            if (Current.Kind == CesqlTokenKind.Comma)
            {
                Advance();
                continue;
            }

            Expect(CesqlTokenKind.RightParenthesis, $"',' or ')' in the {owner} list opened at position {open.Position}");
            _nesting--;
            return [.. items];
        }
    }

    private static CesqlValue IntegerLiteral(string text, int position) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? CesqlValue.FromInteger(value)
            : throw new CesqlParseException($"The integer literal {text} is outside the 32-bit range", position);

    // Attribute names are lower-case in CloudEvents; CESQL identifiers are case-insensitive like its keywords.
    private static string AttributeName(CesqlToken token) => token.Text.ToLowerInvariant();
}
