namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// The abstract syntax tree of a parsed expression. Nodes are immutable; each knows its static return type
/// (<see langword="null"/> when it depends on the event, as for an attribute) and its depth, which the parser bounds.
/// </summary>
internal abstract class CesqlNode(int position, CesqlType? resultType, int depth)
{
    /// <summary>0-based offset of the node in the expression text.</summary>
    public int Position { get; } = position;

    public CesqlType? ResultType { get; } = resultType;

    public int Depth { get; } = depth;

    /// <summary>
    /// The value an operator yields when an operand fails: the zero value of its return type, or <c>false</c> when the
    /// return type cannot be determined statically (spec 3.2).
    /// </summary>
    public CesqlValue ZeroValue => CesqlValue.Zero(ResultType ?? CesqlType.Boolean);

    protected static int DepthOf(params ReadOnlySpan<CesqlNode> children)
    {
        var max = 0;
        foreach (var child in children)
        {
            max = Math.Max(max, child.Depth);
        }

        return max + 1;
    }
}

internal sealed class CesqlLiteralNode(int position, CesqlValue value) : CesqlNode(position, value.Type, 1)
{
    public CesqlValue Value { get; } = value;
}

/// <summary>A context attribute or extension, addressed by its lower-cased name.</summary>
internal sealed class CesqlAttributeNode(int position, string name) : CesqlNode(position, null, 1)
{
    public string Name { get; } = name;
}

internal sealed class CesqlExistsNode(int position, string name) : CesqlNode(position, CesqlType.Boolean, 1)
{
    public string Name { get; } = name;
}

internal enum CesqlUnaryOperator
{
    Not,
    Negate,
}

internal sealed class CesqlUnaryNode(int position, CesqlUnaryOperator op, CesqlNode operand)
    : CesqlNode(position, op == CesqlUnaryOperator.Not ? CesqlType.Boolean : CesqlType.Integer, operand.Depth + 1)
{
    public CesqlUnaryOperator Operator { get; } = op;

    public CesqlNode Operand { get; } = operand;
}

internal enum CesqlBinaryOperator
{
    And,
    Or,
    Xor,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

internal sealed class CesqlBinaryNode(int position, CesqlBinaryOperator op, CesqlNode left, CesqlNode right)
    : CesqlNode(position, ReturnTypeOf(op), DepthOf(left, right))
{
    public CesqlBinaryOperator Operator { get; } = op;

    public CesqlNode Left { get; } = left;

    public CesqlNode Right { get; } = right;

    private static CesqlType ReturnTypeOf(CesqlBinaryOperator op) => op switch
    {
        CesqlBinaryOperator.Add or CesqlBinaryOperator.Subtract or CesqlBinaryOperator.Multiply
            or CesqlBinaryOperator.Divide or CesqlBinaryOperator.Modulo => CesqlType.Integer,
        _ => CesqlType.Boolean,
    };
}

internal sealed class CesqlLikeNode(int position, CesqlNode operand, CesqlLikePattern pattern, bool negated)
    : CesqlNode(position, CesqlType.Boolean, operand.Depth + 1)
{
    public CesqlNode Operand { get; } = operand;

    public CesqlLikePattern Pattern { get; } = pattern;

    public bool Negated { get; } = negated;
}

internal sealed class CesqlInNode(int position, CesqlNode operand, CesqlNode[] set, bool negated)
    : CesqlNode(position, CesqlType.Boolean, DepthOf([operand, .. set]))
{
    public CesqlNode Operand { get; } = operand;

    public IReadOnlyList<CesqlNode> Set { get; } = set;

    public bool Negated { get; } = negated;
}

internal sealed class CesqlFunctionCallNode(int position, CesqlFunction function, CesqlNode[] arguments)
    : CesqlNode(position, function.ReturnType, DepthOf(arguments))
{
    public CesqlFunction Function { get; } = function;

    public IReadOnlyList<CesqlNode> Arguments { get; } = arguments;
}

/// <summary>
/// A call no function matches by name and arity. It parses, because the spec makes this an evaluation error
/// (<see cref="CesqlErrorKind.MissingFunction"/>, value <c>false</c>), not a parse error.
/// </summary>
internal sealed class CesqlMissingFunctionNode(int position, string name, int arity)
    : CesqlNode(position, CesqlType.Boolean, 1)
{
    public string Name { get; } = name;

    public int Arity { get; } = arity;
}
