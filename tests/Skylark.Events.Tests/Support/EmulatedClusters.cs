namespace Skylark.Events.Tests.Support;

/// <summary>
/// Tests that bring up a whole emulated topology (a redis-server and a web app per node, link proxies, the broker, MQTT)
/// run one at a time and alone: several at once on a 2-core CI machine starve each other's thread pools, and MQTT and
/// HTTP timeouts then fail tests that have nothing wrong with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public static class EmulatedClusters
{
    public const string Name = "Emulated clusters";
}
