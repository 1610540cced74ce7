namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// What an emulated connection carries. Both classes share every link's bandwidth (a control event waits behind a
/// bundle on a busy link, as on a real one); they are counted apart so a report can tell the cost of moving state
/// from the cost of telling functions to run.
/// </summary>
public enum TrafficClass
{
    /// <summary>Bundles: pulls between StateSinks, and a function's reads and writes of a store on another node.</summary>
    State = 0,

    /// <summary>
    /// Events: broker ingress, deliveries and their replies, propagate commands, PingSource deliveries; and the periodic
    /// sync's link probes, the control plane's measurement traffic.
    /// </summary>
    Control = 1,
}
