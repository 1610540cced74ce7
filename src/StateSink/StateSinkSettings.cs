using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;
using Skylark.Events.State;
using Skylark.Events.Topology;

namespace Skylark.Events.StateSink;

/// <summary>
/// The standalone sink's settings, by the service contract (docs/configuration.md): the common <c>--node</c>,
/// <c>--redis</c>, <c>--key-prefix</c>, Redis password and topology source (<c>--topology</c>, or
/// <c>--topology-source kubernetes</c>), and the sink's own peer token, peers, memory budget and, on Kubernetes, where
/// its peers' pods are, its bounds on fetches waiting for bundles not written yet, and whose senders' tokens it trusts
/// with the EventPolicies (from <c>--eventing</c>) that say what they may send it.
/// </summary>
/// <param name="State">Configures this node's <see cref="StateOptions"/> (node, Redis, password, key prefix).</param>
/// <param name="PeerToken">The secret of the peer API.</param>
/// <param name="TopologyPath">The topology file; null when the topology comes from the API.</param>
/// <param name="Sinks">Peers named by <c>--sinks</c>; empty when they come from the API.</param>
/// <param name="MemoryBudgetBytes">Bytes of copies kept before eviction; null for no budget.</param>
/// <param name="Kubernetes">Set when nodes, links and peers come from the Kubernetes API.</param>
public sealed record StateSinkSettings(
    Action<StateOptions> State,
    string PeerToken,
    string? TopologyPath,
    IReadOnlyDictionary<string, Uri> Sinks,
    long? MemoryBudgetBytes,
    KubernetesTopologyFeed? Kubernetes = null)
{
    /// <summary>When the topology file's first snapshot began (<c>--topology-epoch</c>); null means when the sink started.</summary>
    public DateTimeOffset? TopologyEpoch { get; init; }

    /// <summary><see cref="StateSinkOptions.MaxAwaitingPulls"/> (<c>--max-awaiting-pulls</c>); null keeps the default.</summary>
    public int? MaxAwaitingPulls { get; init; }

    /// <summary><see cref="StateSinkOptions.MaxAwaitingPullsPerSender"/> (<c>--max-awaiting-pulls-per-sender</c>); null: half of the whole.</summary>
    public int? MaxAwaitingPullsPerSender { get; init; }

    /// <summary>Configures <see cref="StateSinkOptions.Verification"/> (<c>--oidc-issuer</c>, <c>--oidc-keys</c>, …).</summary>
    public Action<SenderVerificationOptions> Verification { get; init; } = static _ => { };

    /// <summary>The EventPolicies of <c>--eventing</c> (its other resources are the broker's); empty without it.</summary>
    public IReadOnlyList<EventPolicyResource> Policies { get; init; } = [];

    /// <summary><see cref="StateSinkOptions.DefaultAuthorization"/> (<c>--authorization-mode</c>); null keeps the default.</summary>
    public AuthorizationMode? DefaultAuthorization { get; init; }

    public static readonly Setting PeerTokenSetting = new("peer-token", "The secret every StateSink of the deployment presents to the others' peer API.", secret: true);

    public static readonly Setting PeerTokenFile = new("peer-token-file", "A file holding the peer token (a mounted Secret); instead of SKYLARK_PEER_TOKEN.");

    public static readonly Setting SinksSetting = new("sinks", "The other nodes' StateSinks as <node>=<url>, comma-separated (with --topology-source kubernetes they come from the API instead).");

    public static readonly Setting MemoryBudget = new("memory-budget", "Bytes of copies this node's Redis may keep before the sync evicts the least recently used.");

    public static readonly Setting MaxAwaitingPullsSetting = new("max-awaiting-pulls", "Most fetches this sink keeps waiting at other sinks for bundles not written yet (awaitWrite propagations), from all senders together (default 256).");

    public static readonly Setting MaxAwaitingPullsPerSenderSetting = new("max-awaiting-pulls-per-sender", "Most of those waiting fetches the commands of one sender (its verified subject, else its CloudEvent source) may hold (default half of --max-awaiting-pulls).");

    public static readonly Setting SinkNamespace = new("sink-namespace", "With --topology-source kubernetes: the namespace of the StateSink pods (default skylark).");

    public static readonly Setting SinkSelector = new("sink-selector", "With --topology-source kubernetes: the label selector of the StateSink pods (default app=statesink).");

    /// <exception cref="ServiceConfigurationException">A required setting is missing or a value is malformed; every problem is named.</exception>
    public static StateSinkSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ServiceConfiguration(configuration);
        var state = StateSettings.Read(settings);
        var topology = TopologySourceSettings.Read(settings, fileRequired: true, SinkNamespace, SinkSelector);
        var token = settings.GetSecret(PeerTokenSetting, PeerTokenFile);
        if (token is null && !settings.Problems.Any(p => p.Setting == PeerTokenSetting || p.Setting == PeerTokenFile))
        {
            settings.Problem(PeerTokenSetting, $"is required (or name a file with {PeerTokenFile.Flag})");
        }

        var sinks = settings.UrlMap(SinksSetting);
        var budget = settings.Int64(MemoryBudget, minimum: 1);
        var maxAwaiting = (int?)settings.Int64(MaxAwaitingPullsSetting, minimum: 1, maximum: int.MaxValue);
        var maxAwaitingPerSender = (int?)settings.Int64(MaxAwaitingPullsPerSenderSetting, minimum: 1, maximum: int.MaxValue);
        if (maxAwaitingPerSender > (maxAwaiting ?? new StateSinkOptions().MaxAwaitingPulls))
        {
            settings.Problem(
                MaxAwaitingPullsPerSenderSetting,
                $"must be at most {MaxAwaitingPullsSetting.Flag} ({maxAwaiting ?? new StateSinkOptions().MaxAwaitingPulls}): one sender's share cannot exceed the whole; got {maxAwaitingPerSender}");
        }

        var verification = SenderIdentitySettings.ReadVerification(settings);
        var mode = settings.OneOf(
            SenderIdentitySettings.AuthorizationMode,
            AuthorizationModes.AllowSameNamespaceText,
            AuthorizationModes.AllowAllText,
            AuthorizationModes.DenyAllText);
        var policies = ReadPolicies(settings);
        var kubernetes = topology.FromKubernetes ? ReadKubernetes(settings, topology, sinks) : null;
        settings.ThrowIfInvalid();
        return new StateSinkSettings(state, token!, topology.File, sinks, budget, kubernetes)
        {
            TopologyEpoch = topology.Epoch,
            MaxAwaitingPulls = maxAwaiting,
            MaxAwaitingPullsPerSender = maxAwaitingPerSender,
            Verification = verification,
            Policies = policies,
            DefaultAuthorization = mode is null ? null : AuthorizationModes.Parse(mode),
        };
    }

    public void Configure(StateSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PeerToken = PeerToken;
        options.TopologyPath = TopologyPath;
        options.TopologyEpoch = TopologyEpoch ?? options.TopologyEpoch;
        options.Kubernetes = Kubernetes;
        options.MemoryBudgetBytes = MemoryBudgetBytes;
        options.MaxAwaitingPulls = MaxAwaitingPulls ?? options.MaxAwaitingPulls;
        options.MaxAwaitingPullsPerSender = MaxAwaitingPullsPerSender ?? options.MaxAwaitingPullsPerSender;
        foreach (var (node, sink) in Sinks)
        {
            options.Sinks[node] = sink;
        }

        Verification(options.Verification);
        options.DefaultAuthorization = DefaultAuthorization ?? options.DefaultAuthorization;
        foreach (var policy in Policies)
        {
            options.Policies.Add(policy);
        }
    }

    // The same files the broker serves may be given: only their EventPolicies concern a sink.
    private static IReadOnlyList<EventPolicyResource> ReadPolicies(ServiceConfiguration settings)
    {
        var eventing = settings.List(CommonSettings.Eventing);
        if (eventing.Count == 0)
        {
            return [];
        }

        try
        {
            return ResourceLoader.Load(eventing).EventPolicies;
        }
        catch (Exception error) when (error is ResourceValidationException or IOException or UnauthorizedAccessException)
        {
            settings.Problem(CommonSettings.Eventing, $"names resources that do not load: {error.Message.ReplaceLineEndings(" ")}");
            return [];
        }
    }

    private static KubernetesTopologyFeed? ReadKubernetes(ServiceConfiguration settings, TopologySourceSettings topology, IReadOnlyDictionary<string, Uri> sinks)
    {
        var defaults = new KubernetesTopologyOptions();
        var sinkNamespace = settings.Get(SinkNamespace) ?? defaults.SinkNamespace;
        if (!KubernetesNames.IsNamespace(sinkNamespace))
        {
            settings.Problem(SinkNamespace, $"must be a namespace name (lower-case letters, digits and '-', at most 63 characters); got '{sinkNamespace}'");
        }

        var selector = settings.Get(SinkSelector) ?? defaults.SinkLabelSelector;
        if (KubernetesNames.LabelSelectorProblem(selector) is { } selectorProblem)
        {
            settings.Problem(SinkSelector, $"must be a label selector such as app=statesink; '{selector}' {selectorProblem}");
        }

        if (sinks.Count > 0)
        {
            settings.Problem(SinksSetting, $"names peers, but with {CommonSettings.TopologySource.Flag} {TopologySourceSettings.KubernetesSource} they come from the StateSink pods in the API; leave it out");
        }

        k8s.KubernetesClientConfiguration client;
        try
        {
            client = KubernetesTopologyFeed.ClientConfiguration(topology.Kubeconfig);
        }
        catch (KubernetesTopologyException error)
        {
            topology.KubeconfigProblem(settings, error.Message);
            return null;
        }

        if (settings.Problems.Count > 0)
        {
            return null;
        }

        return new KubernetesTopologyFeed(
            client,
            defaults with { SinkNamespace = sinkNamespace, SinkLabelSelector = selector },
            topology.Refresh);
    }
}
