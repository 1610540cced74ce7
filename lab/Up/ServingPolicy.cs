namespace Skylark.Events.Lab.Up;

/// <summary>How an emulated Knative Service picks the instance that runs an event.</summary>
public enum ServingPolicy
{
    /// <summary>Knative's default: spread requests over the instances in turn.</summary>
    RoundRobin,

    /// <summary>The instance nearest (by path latency) to the node holding the event's state, like the FaaSt platform.</summary>
    LocalityAware,
}

public static class ServingPolicies
{
    /// <summary>The name used on the command line and in reports: <c>round-robin</c> or <c>locality-aware</c>.</summary>
    public static string Name(this ServingPolicy serving) => serving == ServingPolicy.LocalityAware ? "locality-aware" : "round-robin";
}
