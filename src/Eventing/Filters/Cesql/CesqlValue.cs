using System.Globalization;

namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>A CESQL value: a Boolean, a 32-bit Integer or a String, tagged with its type.</summary>
public readonly struct CesqlValue : IEquatable<CesqlValue>
{
    public static readonly CesqlValue True = new(CesqlType.Boolean, true, 0, null);
    public static readonly CesqlValue False = new(CesqlType.Boolean, false, 0, null);
    public static readonly CesqlValue ZeroInteger = new(CesqlType.Integer, false, 0, null);
    public static readonly CesqlValue EmptyString = new(CesqlType.String, false, 0, string.Empty);

    private readonly bool _boolean;
    private readonly int _integer;
    private readonly string? _string;

    private CesqlValue(CesqlType type, bool boolean, int integer, string? text)
    {
        Type = type;
        _boolean = boolean;
        _integer = integer;
        _string = text;
    }

    public CesqlType Type { get; }

    public bool BooleanValue => Type == CesqlType.Boolean ? _boolean : throw WrongType(CesqlType.Boolean);

    public int IntegerValue => Type == CesqlType.Integer ? _integer : throw WrongType(CesqlType.Integer);

    public string StringValue => Type == CesqlType.String ? _string ?? string.Empty : throw WrongType(CesqlType.String);

    public static CesqlValue FromBoolean(bool value) => value ? True : False;

    public static CesqlValue FromInteger(int value) => new(CesqlType.Integer, false, value, null);

    public static CesqlValue FromString(string value) =>
        new(CesqlType.String, false, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>The zero value of a type (spec 3.1): <c>false</c>, <c>0</c> or <c>""</c>.</summary>
    public static CesqlValue Zero(CesqlType type) => type switch
    {
        CesqlType.Boolean => False,
        CesqlType.Integer => ZeroInteger,
        _ => EmptyString,
    };

    /// <summary>The value as a CLR object: <see cref="bool"/>, <see cref="int"/> or <see cref="string"/>.</summary>
    public object ToObject() => Type switch
    {
        CesqlType.Boolean => _boolean,
        CesqlType.Integer => _integer,
        _ => StringValue,
    };

    public bool Equals(CesqlValue other) => Type == other.Type && Type switch
    {
        CesqlType.Boolean => _boolean == other._boolean,
        CesqlType.Integer => _integer == other._integer,
        _ => string.Equals(StringValue, other.StringValue, StringComparison.Ordinal),
    };

    public override bool Equals(object? obj) => obj is CesqlValue other && Equals(other);

    public override int GetHashCode() => Type switch
    {
        CesqlType.Boolean => HashCode.Combine(Type, _boolean),
        CesqlType.Integer => HashCode.Combine(Type, _integer),
        _ => HashCode.Combine(Type, StringComparer.Ordinal.GetHashCode(StringValue)),
    };

    public static bool operator ==(CesqlValue left, CesqlValue right) => left.Equals(right);

    public static bool operator !=(CesqlValue left, CesqlValue right) => !left.Equals(right);

    /// <summary>The value as CESQL writes it: <c>true</c>, <c>-5</c> or a single-quoted string.</summary>
    public override string ToString() => Type switch
    {
        CesqlType.Boolean => _boolean ? "true" : "false",
        CesqlType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => "'" + StringValue.Replace("'", "\\'", StringComparison.Ordinal) + "'",
    };

    private InvalidOperationException WrongType(CesqlType requested) =>
        new($"The CESQL value is a {Type}, not a {requested}.");
}
