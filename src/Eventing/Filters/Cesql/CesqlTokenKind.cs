namespace Skylark.Events.Eventing.Filters.Cesql;

internal enum CesqlTokenKind
{
    End,
    LeftParenthesis,
    RightParenthesis,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Equal,
    NotEqual,
    LessGreater,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
    Xor,
    Not,
    Like,
    Exists,
    In,
    True,
    False,
    Integer,
    String,

    /// <summary>Letters and digits: an attribute name, or a function name when followed by '('.</summary>
    Identifier,

    /// <summary>Letters and underscores with at least one underscore: only valid as a function name.</summary>
    FunctionName,
}
