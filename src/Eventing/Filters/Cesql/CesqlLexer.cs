namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>Splits a CESQL expression into tokens. Keywords are case-insensitive; identifiers keep their spelling.</summary>
internal static class CesqlLexer
{
    public static List<CesqlToken> Tokenize(string expression)
    {
        var tokens = new List<CesqlToken>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            switch (c)
            {
                case '(':
                    tokens.Add(new(CesqlTokenKind.LeftParenthesis, "(", start));
                    i++;
                    break;
                case ')':
                    tokens.Add(new(CesqlTokenKind.RightParenthesis, ")", start));
                    i++;
                    break;
                case ',':
                    tokens.Add(new(CesqlTokenKind.Comma, ",", start));
                    i++;
                    break;
                case '+':
                    tokens.Add(new(CesqlTokenKind.Plus, "+", start));
                    i++;
                    break;
                case '-':
                    tokens.Add(new(CesqlTokenKind.Minus, "-", start));
                    i++;
                    break;
                case '*':
                    tokens.Add(new(CesqlTokenKind.Star, "*", start));
                    i++;
                    break;
                case '/':
                    tokens.Add(new(CesqlTokenKind.Slash, "/", start));
                    i++;
                    break;
                case '%':
                    tokens.Add(new(CesqlTokenKind.Percent, "%", start));
                    i++;
                    break;
                case '=':
                    tokens.Add(new(CesqlTokenKind.Equal, "=", start));
                    i++;
                    break;
                case '!':
                    if (Peek(expression, i + 1) != '=')
                    {
                        throw new CesqlParseException("'!' must be followed by '=' to form '!='", start);
                    }

                    tokens.Add(new(CesqlTokenKind.NotEqual, "!=", start));
                    i += 2;
                    break;
                case '<':
                    switch (Peek(expression, i + 1))
                    {
                        case '=':
                            tokens.Add(new(CesqlTokenKind.LessOrEqual, "<=", start));
                            i += 2;
                            break;
                        case '>':
                            tokens.Add(new(CesqlTokenKind.LessGreater, "<>", start));
                            i += 2;
                            break;
                        default:
                            tokens.Add(new(CesqlTokenKind.Less, "<", start));
                            i++;
                            break;
                    }

                    break;
                case '>':
                    if (Peek(expression, i + 1) == '=')
                    {
                        tokens.Add(new(CesqlTokenKind.GreaterOrEqual, ">=", start));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new(CesqlTokenKind.Greater, ">", start));
                        i++;
                    }

                    break;
                case '\'' or '"':
                    tokens.Add(new(CesqlTokenKind.String, ReadString(expression, ref i), start));
                    break;
                default:
                    if (!IsWordChar(c))
                    {
                        throw new CesqlParseException($"Unexpected character '{c}'", start);
                    }

                    while (i < expression.Length && IsWordChar(expression[i]))
                    {
                        i++;
                    }

                    tokens.Add(ClassifyWord(expression[start..i], start));
                    break;
            }
        }

        tokens.Add(new(CesqlTokenKind.End, string.Empty, expression.Length));
        return tokens;
    }

    private static char Peek(string expression, int index) => index < expression.Length ? expression[index] : '\0';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static CesqlToken ClassifyWord(string word, int position)
    {
        if (word.All(char.IsAsciiDigit))
        {
            return new(CesqlTokenKind.Integer, word, position);
        }

        var keyword = word.ToUpperInvariant() switch
        {
            "AND" => CesqlTokenKind.And,
            "OR" => CesqlTokenKind.Or,
            "XOR" => CesqlTokenKind.Xor,
            "NOT" => CesqlTokenKind.Not,
            "LIKE" => CesqlTokenKind.Like,
            "EXISTS" => CesqlTokenKind.Exists,
            "IN" => CesqlTokenKind.In,
            "TRUE" => CesqlTokenKind.True,
            "FALSE" => CesqlTokenKind.False,
            _ => (CesqlTokenKind?)null,
        };
        if (keyword is { } kind)
        {
            return new(kind, word, position);
        }

        if (!word.Contains('_', StringComparison.Ordinal))
        {
            return new(CesqlTokenKind.Identifier, word, position);
        }

        // Function names are a letter followed by letters and underscores (spec 2.4).
        if (char.IsAsciiLetter(word[0]) && word.All(ch => ch == '_' || char.IsAsciiLetter(ch)))
        {
            return new(CesqlTokenKind.FunctionName, word, position);
        }

        throw new CesqlParseException($"'{word}' is neither an attribute name nor a function name", position);
    }

    /// <summary>
    /// Reads a quoted literal. A backslash escapes the delimiting quote, as does a doubled quote (the spec's lexer
    /// grammar accepts both); any other backslash is kept, because the LIKE operator gives <c>\%</c> and <c>\_</c> meaning.
    /// </summary>
    private static string ReadString(string expression, ref int i)
    {
        var start = i;
        var quote = expression[i++];
        var builder = new System.Text.StringBuilder();
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c == '\\' && i + 1 < expression.Length)
            {
                var next = expression[i + 1];
                if (next != quote)
                {
                    builder.Append(c);
                }

                builder.Append(next);
                i += 2;
                continue;
            }

            if (c == quote)
            {
                if (Peek(expression, i + 1) == quote)
                {
                    builder.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return builder.ToString();
            }

            builder.Append(c);
            i++;
        }

        throw new CesqlParseException("Unterminated string literal", start);
    }
}
