using System.CommandLine;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>--control-node &lt;name&gt;</c> and <c>--instant-control-plane</c>, the same on <c>up</c>, <c>demo</c> and
/// <c>bench</c>: where the broker and the Predictor run, and whether their events cross the emulated links.
/// </summary>
internal sealed class ControlPlaneOptions
{
    public Option<string?> Node { get; } = new("--control-node")
    {
        Description = "Node the broker, the serving router and the Predictor run on (default: the topology's cloud node).",
    };

    public Option<bool> Instant { get; } = new("--instant-control-plane")
    {
        Description = "Let events reach every node at once instead of crossing the emulated links (for comparison).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Node);
        command.Options.Add(Instant);
    }
}
