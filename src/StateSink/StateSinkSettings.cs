using Skylark.Events.Hosting;
using Skylark.Events.State;

namespace Skylark.Events.StateSink;

/// <summary>
/// The standalone sink's settings, by the service contract (docs/configuration.md): the common <c>--node</c>,
/// <c>--redis</c>, <c>--topology</c>, <c>--key-prefix</c> and Redis password, and the sink's own peer token, peers and
/// memory budget.
/// </summary>
public sealed record StateSinkSettings(
    Action<StateOptions> State,
    string PeerToken,
    string TopologyPath,
    IReadOnlyDictionary<string, Uri> Sinks,
    long? MemoryBudgetBytes)
{
    public static readonly Setting PeerTokenSetting = new("peer-token", "The secret every StateSink of the deployment presents to the others' peer API.", secret: true);

    public static readonly Setting PeerTokenFile = new("peer-token-file", "A file holding the peer token (a mounted Secret); instead of SKYLARK_PEER_TOKEN.");

    public static readonly Setting SinksSetting = new("sinks", "The other nodes' StateSinks as <node>=<url>, comma-separated (on Kubernetes they come from the API instead).");

    public static readonly Setting MemoryBudget = new("memory-budget", "Bytes of copies this node's Redis may keep before the sync evicts the least recently used.");

    /// <exception cref="ServiceConfigurationException">A required setting is missing or a value is malformed; every problem is named.</exception>
    public static StateSinkSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceConfiguration(configuration);
        var state = StateSettings.Read(settings);
        var topology = settings.Required(CommonSettings.Topology);
        var token = settings.GetSecret(PeerTokenSetting, PeerTokenFile);
        if (token is null && !settings.Problems.Any(p => p.Setting == PeerTokenSetting || p.Setting == PeerTokenFile))
        {
            settings.Problem(PeerTokenSetting, $"is required (or name a file with {PeerTokenFile.Flag})");
        }

        var sinks = settings.UrlMap(SinksSetting);
        var budget = settings.Int64(MemoryBudget, minimum: 1);
        settings.ThrowIfInvalid();
        return new StateSinkSettings(state, token!, topology!, sinks, budget);
    }

    public void Configure(StateSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PeerToken = PeerToken;
        options.TopologyPath = TopologyPath;
        options.MemoryBudgetBytes = MemoryBudgetBytes;
        foreach (var (node, sink) in Sinks)
        {
            options.Sinks[node] = sink;
        }
    }
}
