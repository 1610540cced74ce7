namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>The expression is not valid CESQL. <see cref="Position"/> is the 0-based character offset of the problem.</summary>
public sealed class CesqlParseException : FormatException
{
    public CesqlParseException()
        : this("The CESQL expression is invalid.", 0)
    {
    }

    public CesqlParseException(string message)
        : this(message, 0)
    {
    }

    public CesqlParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CesqlParseException(string message, int position)
        : base($"{message} (at position {position})")
    {
        Position = position;
        Reason = message;
    }

    public int Position { get; }

    /// <summary>The message without the position suffix.</summary>
    public string Reason { get; } = string.Empty;

    public CesqlError ToError() => new(CesqlErrorKind.Parse, Message);
}
