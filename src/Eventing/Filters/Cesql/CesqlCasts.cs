using System.Globalization;

namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// Type casting (spec 3.7). A failed cast reports <see cref="CesqlErrorKind.Cast"/> and yields the target's zero value.
/// Integer to Boolean is explicit only (<c>BOOL(x)</c>): the TCK's "Invalid int cast" case requires <c>NOT 10</c> to
/// fail its implicit cast, while Boolean to Integer stays implicit (<c>5 + TRUE</c> is 6).
/// </summary>
internal static class CesqlCasts
{
    public static CesqlValue Implicit(CesqlValue value, CesqlType target, ref CesqlErrorSink errors) =>
        Cast(value, target, explicitCast: false, ref errors);

    public static CesqlValue Explicit(CesqlValue value, CesqlType target, ref CesqlErrorSink errors) =>
        Cast(value, target, explicitCast: true, ref errors);

    public static bool CanCastExplicitly(CesqlValue value, CesqlType target)
    {
        var errors = default(CesqlErrorSink);
        Cast(value, target, explicitCast: true, ref errors);
        return errors.Count == 0;
    }

    public static string ToText(CesqlValue value) => value.Type switch
    {
        CesqlType.String => value.StringValue,
        CesqlType.Integer => value.IntegerValue.ToString(CultureInfo.InvariantCulture),
        _ => value.BooleanValue ? "true" : "false",
    };

    private static CesqlValue Cast(CesqlValue value, CesqlType target, bool explicitCast, ref CesqlErrorSink errors)
    {
        if (value.Type == target)
        {
            return value;
        }

        switch (target)
        {
            case CesqlType.String:
                return CesqlValue.FromString(ToText(value));

            case CesqlType.Integer when value.Type == CesqlType.Boolean:
                return CesqlValue.FromInteger(value.BooleanValue ? 1 : 0);

            case CesqlType.Integer:
                if (int.TryParse(value.StringValue, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    return CesqlValue.FromInteger(parsed);
                }

                errors.Add(CesqlErrorKind.Cast, $"Cannot cast the string '{value.StringValue}' to an integer.");
                return CesqlValue.ZeroInteger;

            case CesqlType.Boolean when value.Type == CesqlType.Integer:
                if (explicitCast)
                {
                    return CesqlValue.FromBoolean(value.IntegerValue != 0);
                }

                errors.Add(CesqlErrorKind.Cast, $"The integer {value.IntegerValue} is not implicitly a boolean; use BOOL().");
                return CesqlValue.False;

            default:
                var text = value.StringValue;
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return CesqlValue.True;
                }

                if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return CesqlValue.False;
                }

                errors.Add(CesqlErrorKind.Cast, $"Cannot cast the string '{text}' to a boolean.");
                return CesqlValue.False;
        }
    }
}
