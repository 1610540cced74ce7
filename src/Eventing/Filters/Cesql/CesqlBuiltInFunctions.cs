using System.Text;

namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// The built-in functions (spec 3.5.1, 3.5.2) and the casting functions INT, BOOL, STRING, IS_INT and IS_BOOL.
/// Names are matched upper-cased; overloads are told apart by arity.
/// </summary>
internal static class CesqlBuiltInFunctions
{
    private static readonly Dictionary<string, CesqlFunction[]> Functions = Build();

    /// <summary>The function with this (upper-case) name accepting this many arguments, if any.</summary>
    public static CesqlFunction? Resolve(string name, int arity)
    {
        if (!Functions.TryGetValue(name, out var overloads))
        {
            return null;
        }

        foreach (var function in overloads)
        {
            if (function.Accepts(arity))
            {
                return function;
            }
        }

        return null;
    }

    private static Dictionary<string, CesqlFunction[]> Build()
    {
        const CesqlType S = CesqlType.String;
        const CesqlType I = CesqlType.Integer;
        const CesqlType B = CesqlType.Boolean;

        CesqlFunction[] all =
        [
            new("LENGTH", I, [S], (args, ref _) => CesqlValue.FromInteger(CesqlText.Length(args[0].StringValue))),
            new("CONCAT", S, [], Concat, variadicParameter: S, isVariadic: true),
            new("CONCAT_WS", S, [S], ConcatWithSeparator, variadicParameter: S, isVariadic: true),
            new("LOWER", S, [S], (args, ref _) => CesqlValue.FromString(args[0].StringValue.ToLowerInvariant())),
            new("UPPER", S, [S], (args, ref _) => CesqlValue.FromString(args[0].StringValue.ToUpperInvariant())),

            // string.Trim() removes exactly the Unicode White_Space characters, as the spec asks.
            new("TRIM", S, [S], (args, ref _) => CesqlValue.FromString(args[0].StringValue.Trim())),
            new("LEFT", S, [S, I], Left),
            new("RIGHT", S, [S, I], Right),
            new("SUBSTRING", S, [S, I], (args, ref errors) => Substring(args[0].StringValue, args[1].IntegerValue, null, ref errors)),
            new("SUBSTRING", S, [S, I, I], (args, ref errors) => Substring(args[0].StringValue, args[1].IntegerValue, args[2].IntegerValue, ref errors)),
            new("ABS", I, [I], Abs),
            new("INT", I, [null], (args, ref errors) => CesqlCasts.Explicit(args[0], I, ref errors)),
            new("BOOL", B, [null], (args, ref errors) => CesqlCasts.Explicit(args[0], B, ref errors)),
            new("STRING", S, [null], (args, ref errors) => CesqlCasts.Explicit(args[0], S, ref errors)),
            new("IS_INT", B, [null], (args, ref _) => CesqlValue.FromBoolean(CesqlCasts.CanCastExplicitly(args[0], I))),
            new("IS_BOOL", B, [null], (args, ref _) => CesqlValue.FromBoolean(CesqlCasts.CanCastExplicitly(args[0], B))),
        ];

        return all.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    private static CesqlValue Concat(ReadOnlySpan<CesqlValue> args, ref CesqlErrorSink errors)
    {
        var builder = new StringBuilder();
        foreach (var arg in args)
        {
            builder.Append(arg.StringValue);
        }

        return CesqlValue.FromString(builder.ToString());
    }

    private static CesqlValue ConcatWithSeparator(ReadOnlySpan<CesqlValue> args, ref CesqlErrorSink errors)
    {
        var separator = args[0].StringValue;
        var builder = new StringBuilder();
        for (var i = 1; i < args.Length; i++)
        {
            if (i > 1)
            {
                builder.Append(separator);
            }

            builder.Append(args[i].StringValue);
        }

        return CesqlValue.FromString(builder.ToString());
    }

    private static CesqlValue Left(ReadOnlySpan<CesqlValue> args, ref CesqlErrorSink errors)
    {
        var text = args[0].StringValue;
        var count = args[1].IntegerValue;
        if (count < 0)
        {
            errors.Add(CesqlErrorKind.FunctionEvaluation, $"LEFT needs a non-negative length, got {count}.");
            return args[0];
        }

        var length = CesqlText.Length(text);
        return count >= length ? args[0] : CesqlValue.FromString(CesqlText.Slice(text, 0, count));
    }

    private static CesqlValue Right(ReadOnlySpan<CesqlValue> args, ref CesqlErrorSink errors)
    {
        var text = args[0].StringValue;
        var count = args[1].IntegerValue;
        if (count < 0)
        {
            errors.Add(CesqlErrorKind.FunctionEvaluation, $"RIGHT needs a non-negative length, got {count}.");
            return args[0];
        }

        var length = CesqlText.Length(text);
        return count >= length ? args[0] : CesqlValue.FromString(CesqlText.Slice(text, length - count, count));
    }

    /// <summary>1-based <paramref name="position"/>; negative counts from the end; 0 yields the empty string.</summary>
    private static CesqlValue Substring(string text, int position, int? count, ref CesqlErrorSink errors)
    {
        var length = CesqlText.Length(text);
        if (position > length || position < -length)
        {
            errors.Add(CesqlErrorKind.FunctionEvaluation, $"SUBSTRING position {position} is outside a string of length {length}.");
            return CesqlValue.EmptyString;
        }

        if (count < 0)
        {
            errors.Add(CesqlErrorKind.FunctionEvaluation, $"SUBSTRING needs a non-negative length, got {count}.");
            return CesqlValue.EmptyString;
        }

        if (position == 0)
        {
            return CesqlValue.EmptyString;
        }

        var start = position > 0 ? position - 1 : length + position;
        var available = length - start;
        return CesqlValue.FromString(CesqlText.Slice(text, start, Math.Min(count ?? available, available)));
    }

    private static CesqlValue Abs(ReadOnlySpan<CesqlValue> args, ref CesqlErrorSink errors)
    {
        var value = args[0].IntegerValue;
        if (value == int.MinValue)
        {
            errors.Add(CesqlErrorKind.Math, "ABS(-2147483648) overflows a 32-bit integer.");
            return CesqlValue.FromInteger(int.MaxValue);
        }

        return CesqlValue.FromInteger(Math.Abs(value));
    }
}
