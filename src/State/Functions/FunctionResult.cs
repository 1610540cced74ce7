using Skylark.Events.Contracts;

namespace Skylark.Events.State.Functions;

/// <summary>
/// What a function handler produced: the reply event's type and source, its output bundle (the reply's
/// <c>statekey</c>), a function-specific result summary for the reply's data, and any extra extensions.
/// The runtime adds the common extensions (workflowid, function, node, statekey, statenode, camera).
/// </summary>
public sealed class FunctionResult
{
    private readonly Dictionary<string, string> _extensions;

    private FunctionResult(string type, Uri? source, StateRef output, object? summary, Dictionary<string, string> extensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(output);
        Type = type;
        Source = source;
        Output = output;
        Summary = summary;
        _extensions = extensions;
    }

    /// <summary>CloudEvent <c>type</c> of the reply.</summary>
    public string Type { get; }

    /// <summary>CloudEvent <c>source</c> of the reply; null means the function's own (<c>/functions/{function}</c>).</summary>
    public Uri? Source { get; }

    /// <summary>The bundle this invocation produced; it becomes the reply's <c>statekey</c>.</summary>
    public StateRef Output { get; }

    /// <summary>Serialized (camelCase) as the <c>result</c> member of the reply's data.</summary>
    public object? Summary { get; }

    public IReadOnlyDictionary<string, string> Extensions => _extensions;

    /// <summary>An <c>io.skylark.function.completed</c> reply.</summary>
    public static FunctionResult Completed(StateRef output, object? summary) =>
        new(EventTypes.FunctionCompleted, null, output, summary, new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>A reply of another type (e.g. <c>io.skylark.alarm.raised</c>); Knative takes one reply event per delivery.</summary>
    public static FunctionResult Event(string type, Uri source, StateRef output, object? summary)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new(type, source, output, summary, new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <summary>A copy with one more extension attribute (lower-case name, as CloudEvents requires).</summary>
    public FunctionResult WithExtension(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        return new FunctionResult(Type, Source, Output, Summary, new Dictionary<string, string>(_extensions, StringComparer.Ordinal) { [name] = value });
    }
}
