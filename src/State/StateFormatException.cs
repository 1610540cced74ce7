namespace Skylark.Events.State;

/// <summary>A Redis key in the bundle namespace does not hold a well-formed bundle (e.g. written by something else).</summary>
public sealed class StateFormatException : StateException
{
    public StateFormatException(string key, string problem)
        : base($"Redis key '{key}' does not hold a valid state bundle: {problem}")
    {
        Key = key;
    }

    public string Key { get; }
}
