using System.Buffers;
using CloudNative.CloudEvents;

namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// Evaluates a syntax tree against an event. Every operator is total: when an operand reports an error, the operator
/// stops there and yields the zero value of its return type (spec 3.2, 3.3), which is what the TCK expects of, e.g.,
/// <c>true AND (1 != 1 / 0)</c> and <c>1 / missing</c>. An operator's own failed casts use the zero value of the
/// target type and evaluation goes on (<c>NOT 10</c> is <c>true</c> with a cast error).
/// </summary>
internal static class CesqlEvaluator
{
    public static CesqlValue Evaluate(CesqlNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors) => node switch
    {
        CesqlLiteralNode literal => literal.Value,
        CesqlAttributeNode attribute => Attribute(attribute, cloudEvent, ref errors),
        CesqlExistsNode exists => CesqlValue.FromBoolean(EventAttributeLookup.TryGetValue(cloudEvent, exists.Name, out _, out _)),
        CesqlBinaryNode binary => Binary(binary, cloudEvent, ref errors),
        CesqlUnaryNode unary => Unary(unary, cloudEvent, ref errors),
        CesqlLikeNode like => Like(like, cloudEvent, ref errors),
        CesqlInNode inNode => In(inNode, cloudEvent, ref errors),
        CesqlFunctionCallNode call => Call(call, cloudEvent, ref errors),
        CesqlMissingFunctionNode missing => MissingFunction(missing, ref errors),
        _ => throw new InvalidOperationException($"Unknown CESQL node {node.GetType().Name}."),
    };

    /// <summary>Context attributes and extensions keep Boolean and Integer types; everything else is its canonical string.</summary>
    private static CesqlValue Attribute(CesqlAttributeNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors)
    {
        if (!EventAttributeLookup.TryGetValue(cloudEvent, node.Name, out var attribute, out var value))
        {
            errors.Add(CesqlErrorKind.MissingAttribute, $"The event has no attribute '{node.Name}'.");
            return node.ZeroValue;
        }

        return value switch
        {
            bool boolean => CesqlValue.FromBoolean(boolean),
            int integer => CesqlValue.FromInteger(integer),
            string text => CesqlValue.FromString(text),
            _ => CesqlValue.FromString(attribute.Format(value)),
        };
    }

    /// <summary>Evaluates an operand and casts it; false when the operand itself reported an error.</summary>
    private static bool TryOperand(CesqlNode operand, CesqlType target, CloudEvent cloudEvent, ref CesqlErrorSink errors, out CesqlValue value)
    {
        if (!TryRaw(operand, cloudEvent, ref errors, out var raw))
        {
            value = default;
            return false;
        }

        value = CesqlCasts.Implicit(raw, target, ref errors);
        return true;
    }

    private static bool TryRaw(CesqlNode operand, CloudEvent cloudEvent, ref CesqlErrorSink errors, out CesqlValue value)
    {
        var before = errors.Count;
        value = Evaluate(operand, cloudEvent, ref errors);
        return errors.Count == before;
    }

    private static CesqlValue Unary(CesqlUnaryNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors)
    {
        if (node.Operator == CesqlUnaryOperator.Not)
        {
            return TryOperand(node.Operand, CesqlType.Boolean, cloudEvent, ref errors, out var operand)
                ? CesqlValue.FromBoolean(!operand.BooleanValue)
                : node.ZeroValue;
        }

        if (!TryOperand(node.Operand, CesqlType.Integer, cloudEvent, ref errors, out var number))
        {
            return node.ZeroValue;
        }

        if (number.IntegerValue == int.MinValue)
        {
            errors.Add(CesqlErrorKind.Math, "Negating -2147483648 overflows a 32-bit integer.");
            return node.ZeroValue;
        }

        return CesqlValue.FromInteger(-number.IntegerValue);
    }

    private static CesqlValue Binary(CesqlBinaryNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors)
    {
        switch (node.Operator)
        {
            // AND and OR short-circuit (spec 3.4.2); XOR needs both sides.
            case CesqlBinaryOperator.And:
            case CesqlBinaryOperator.Or:
            case CesqlBinaryOperator.Xor:
            {
                if (!TryOperand(node.Left, CesqlType.Boolean, cloudEvent, ref errors, out var left))
                {
                    return node.ZeroValue;
                }

                if (node.Operator == CesqlBinaryOperator.And && !left.BooleanValue)
                {
                    return CesqlValue.False;
                }

                if (node.Operator == CesqlBinaryOperator.Or && left.BooleanValue)
                {
                    return CesqlValue.True;
                }

                if (!TryOperand(node.Right, CesqlType.Boolean, cloudEvent, ref errors, out var right))
                {
                    return node.ZeroValue;
                }

                return node.Operator == CesqlBinaryOperator.Xor
                    ? CesqlValue.FromBoolean(left.BooleanValue ^ right.BooleanValue)
                    : right;
            }

            // '=' is defined for all three types: the right operand's type decides, and the left is cast to it (spec 3.7).
            case CesqlBinaryOperator.Equal:
            case CesqlBinaryOperator.NotEqual:
            {
                if (!TryRaw(node.Left, cloudEvent, ref errors, out var left)
                    || !TryRaw(node.Right, cloudEvent, ref errors, out var right))
                {
                    return node.ZeroValue;
                }

                var equal = CesqlCasts.Implicit(left, right.Type, ref errors) == right;
                return CesqlValue.FromBoolean(node.Operator == CesqlBinaryOperator.Equal ? equal : !equal);
            }

            default:
            {
                if (!TryOperand(node.Left, CesqlType.Integer, cloudEvent, ref errors, out var left)
                    || !TryOperand(node.Right, CesqlType.Integer, cloudEvent, ref errors, out var right))
                {
                    return node.ZeroValue;
                }

                return Integer(node, left.IntegerValue, right.IntegerValue, ref errors);
            }
        }
    }

    private static CesqlValue Integer(CesqlBinaryNode node, int x, int y, ref CesqlErrorSink errors)
    {
        switch (node.Operator)
        {
            case CesqlBinaryOperator.Less:
                return CesqlValue.FromBoolean(x < y);
            case CesqlBinaryOperator.LessOrEqual:
                return CesqlValue.FromBoolean(x <= y);
            case CesqlBinaryOperator.Greater:
                return CesqlValue.FromBoolean(x > y);
            case CesqlBinaryOperator.GreaterOrEqual:
                return CesqlValue.FromBoolean(x >= y);
            case CesqlBinaryOperator.Divide or CesqlBinaryOperator.Modulo when y == 0:
                errors.Add(CesqlErrorKind.Math, node.Operator == CesqlBinaryOperator.Divide ? "Division by zero." : "Modulo by zero.");
                return CesqlValue.ZeroInteger;
            case CesqlBinaryOperator.Modulo:
                // Truncated modulo keeps the dividend's sign, as C# does; x % -1 is 0 but overflows for int.MinValue.
                return CesqlValue.FromInteger(y == -1 ? 0 : x % y);
        }

        long result = node.Operator switch
        {
            CesqlBinaryOperator.Add => (long)x + y,
            CesqlBinaryOperator.Subtract => (long)x - y,
            CesqlBinaryOperator.Multiply => (long)x * y,
            _ => (long)x / y,
        };

        if (result is < int.MinValue or > int.MaxValue)
        {
            errors.Add(CesqlErrorKind.Math, $"The result {result} overflows a 32-bit integer.");
            return CesqlValue.ZeroInteger;
        }

        return CesqlValue.FromInteger((int)result);
    }

    private static CesqlValue Like(CesqlLikeNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors)
    {
        if (!TryOperand(node.Operand, CesqlType.String, cloudEvent, ref errors, out var text))
        {
            return node.ZeroValue;
        }

        return CesqlValue.FromBoolean(node.Pattern.IsMatch(text.StringValue) != node.Negated);
    }

    /// <summary>Set elements are cast to the left operand's type (spec 3.7) and compared as by '='.</summary>
    private static CesqlValue In(CesqlInNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors)
    {
        if (!TryRaw(node.Operand, cloudEvent, ref errors, out var needle))
        {
            return node.ZeroValue;
        }

        foreach (var element in node.Set)
        {
            if (!TryOperand(element, needle.Type, cloudEvent, ref errors, out var candidate))
            {
                return node.ZeroValue;
            }

            if (candidate == needle)
            {
                return CesqlValue.FromBoolean(!node.Negated);
            }
        }

        return CesqlValue.FromBoolean(node.Negated);
    }

    private static CesqlValue Call(CesqlFunctionCallNode node, CloudEvent cloudEvent, ref CesqlErrorSink errors)
    {
        var count = node.Arguments.Count;
        var buffer = count == 0 ? [] : ArrayPool<CesqlValue>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!TryRaw(node.Arguments[i], cloudEvent, ref errors, out var argument))
                {
                    return node.ZeroValue;
                }

                buffer[i] = node.Function.ParameterType(i) is { } parameterType
                    ? CesqlCasts.Implicit(argument, parameterType, ref errors)
                    : argument;
            }

            return node.Function.Body(buffer.AsSpan(0, count), ref errors);
        }
        finally
        {
            if (count > 0)
            {
                ArrayPool<CesqlValue>.Shared.Return(buffer, clearArray: true);
            }
        }
    }

    private static CesqlValue MissingFunction(CesqlMissingFunctionNode node, ref CesqlErrorSink errors)
    {
        errors.Add(CesqlErrorKind.MissingFunction, $"No function {node.Name} takes {node.Arity} argument(s).");
        return CesqlValue.False;
    }
}
