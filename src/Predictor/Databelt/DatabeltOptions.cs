namespace Skylark.Events.Predictor.Databelt;

/// <summary>Settings of <see cref="PredictorPolicy.Databelt"/> (docs/databelt.md); the SLO is <see cref="PredictorOptions.Slo"/>.</summary>
public sealed class DatabeltOptions
{
    /// <summary>
    /// When set, every election heads for this node, whatever the next function is: how Databelt's experiment
    /// scripts call it (<c>destination=pi5u1</c>, the cloud, for every stage of the workflow). When null (the default),
    /// each election heads for the node the topology places the next function on.
    /// </summary>
    public string? Destination { get; set; }

    /// <summary>
    /// Fusion: a completion sends, with its output, every other bundle of the same workflow that the workflow's
    /// functions wrote on the same node, in one command. When false only the output goes (Databelt's single state).
    /// </summary>
    public bool Fuse { get; set; } = true;

    /// <summary>Most bundles one command carries (the StateSink refuses more than its <c>MaxBundlesPerPropagate</c>, 64 by default).</summary>
    public int MaxBundlesPerCommand { get; set; } = 16;

    /// <summary>Workflows whose bundles are remembered for fusion; the least recently seen are forgotten beyond it.</summary>
    public int MaxWorkflows { get; set; } = 10_000;

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        if (Destination is not null && string.IsNullOrWhiteSpace(Destination))
        {
            throw new ArgumentException("PredictorOptions.Databelt.Destination must name a node or be null.");
        }

        if (MaxBundlesPerCommand < 1)
        {
            throw new ArgumentException("PredictorOptions.Databelt.MaxBundlesPerCommand must be ≥ 1.");
        }

        if (MaxWorkflows < 1)
        {
            throw new ArgumentException("PredictorOptions.Databelt.MaxWorkflows must be ≥ 1.");
        }
    }
}
