namespace Skylark.Events.Lab.Up;

/// <summary>Where function state lives and how it reaches the next function: the modes the demo and the benchmarks compare.</summary>
public enum StateMode
{
    /// <summary>Node-local Redis; the Predictor propagates each output to where the next function will run, ahead of the invocation.</summary>
    Skylark,

    /// <summary>
    /// Node-local Redis; Databelt's own policy (docs/databelt.md): at each completion the output is sent towards the
    /// next function's statically configured node, to the node its SLO-aware election picks. No prediction.
    /// </summary>
    Databelt,

    /// <summary>Node-local Redis, no Predictor: the next function pulls its input from the predecessor's node when it is invoked.</summary>
    OnDemand,

    /// <summary>All state in the cloud node's Redis, every read and write crossing the link to it: the usual serverless baseline.</summary>
    Central,
}

public static class StateModes
{
    /// <summary>The names used on the command line and in reports.</summary>
    public static readonly IReadOnlyList<string> Names = ["skylark", "databelt", "ondemand", "central"];

    /// <summary>True for the modes that run a Predictor (with its Triggers and one propagate route per node).</summary>
    public static bool Propagates(this StateMode mode) => mode is StateMode.Skylark or StateMode.Databelt;

    public static string Name(this StateMode mode) => mode switch
    {
        StateMode.Skylark => "skylark",
        StateMode.Databelt => "databelt",
        StateMode.OnDemand => "ondemand",
        StateMode.Central => "central",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static StateMode Parse(string name) => name switch
    {
        "skylark" => StateMode.Skylark,
        "databelt" => StateMode.Databelt,
        "ondemand" => StateMode.OnDemand,
        "central" => StateMode.Central,
        _ => throw new ArgumentException($"Unknown mode '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
    };
}
