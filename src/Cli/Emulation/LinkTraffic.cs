namespace Skylark.Events.Cli.Emulation;

/// <summary>Payload bytes carried by one direction (<see cref="From"/> → <see cref="To"/>) of a physical link.</summary>
public sealed record LinkTraffic(string From, string To, long Bytes)
{
    /// <summary><c>from-&gt;to</c>: the key of this link in a report.</summary>
    public string Name => $"{From}->{To}";
}
