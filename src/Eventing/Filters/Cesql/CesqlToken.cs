namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// One lexeme. <see cref="Text"/> is the unescaped content of a string literal, the digits of an integer literal,
/// or the source text of anything else.
/// </summary>
internal readonly record struct CesqlToken(CesqlTokenKind Kind, string Text, int Position)
{
    public string Describe() => Kind switch
    {
        CesqlTokenKind.End => "the end of the expression",
        CesqlTokenKind.String => "a string literal",
        CesqlTokenKind.Integer => $"integer literal {Text}",
        _ => $"'{Text}'",
    };
}
