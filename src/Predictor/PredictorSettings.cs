using Skylark.Events.Identity;
using Skylark.Events.Hosting;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Topology;

namespace Skylark.Events.Predictor;

/// <summary>
/// The standalone Predictor's settings, by the service contract (docs/configuration.md): the common
/// <c>--eventing</c>, topology source (<c>--topology</c>, or <c>--topology-source kubernetes</c>), <c>--redis</c>
/// (model persistence), Redis password and <c>K_SINK</c> (the broker ingress its commands go to), and its own policy,
/// SLO and Databelt switches.
/// </summary>
public static class PredictorSettings
{
    public static readonly Setting Policy = new("policy", "predictive (learn the next function and node, and look one step ahead) or databelt (Databelt's static policy).");

    public static readonly Setting Slo = new("slo", "A JSON file of SLO settings for the state election (latency and bandwidth minimums); default Databelt's.");

    public static readonly Setting DatabeltDestination = new("databelt-destination", "With --policy databelt: push every output to this node instead of the next function's node.");

    public static readonly Setting DatabeltFuse = new("databelt-fuse", "With --policy databelt: fuse a workflow's bundles on one node into one command (true or false; default true).");

    /// <summary>Reads the settings into a configure action.</summary>
    /// <exception cref="ServiceConfigurationException">A setting is malformed; every problem is named.</exception>
    public static Action<PredictorOptions> Read(IConfiguration configuration)
    {
        var settings = new ServiceConfiguration(configuration);
        var eventing = settings.List(CommonSettings.Eventing);
        var topology = TopologySourceSettings.Read(settings, fileRequired: false);
        var redis = settings.Get(CommonSettings.Redis);
        var password = settings.GetSecret(CommonSettings.RedisPassword, CommonSettings.RedisPasswordFile);
        var user = settings.Get(CommonSettings.RedisUser);
        var tokenFile = settings.Get(SenderIdentitySettings.TokenFile);
        var node = settings.Get(CommonSettings.Node);
        var sink = settings.Url(CommonSettings.Sink);
        var policy = settings.OneOf(Policy, "predictive", "databelt");
        var destination = settings.Get(DatabeltDestination);
        var fuse = settings.Boolean(DatabeltFuse);
        SloSettings? slo = null;
        if (settings.Get(Slo) is { } sloPath)
        {
            try
            {
                slo = SloSettings.Load(sloPath);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
            {
                settings.Problem(Slo, $"names '{sloPath}', which is not an SLO file: {error.Message}");
            }
        }

        var kubernetes = topology.FromKubernetes ? ReadKubernetes(settings, topology) : null;
        settings.ThrowIfInvalid();
        return options =>
        {
            foreach (var path in eventing.Count > 0 ? eventing : ["eventing"])
            {
                options.EventingPaths.Add(path);
            }

            options.TopologyPath = topology.File ?? options.TopologyPath;
            options.TopologyEpoch = topology.Epoch ?? options.TopologyEpoch;
            options.Kubernetes = kubernetes ?? options.Kubernetes;
            options.Redis = redis ?? options.Redis;
            options.RedisPassword = password ?? options.RedisPassword;
            options.RedisUser = user ?? options.RedisUser;
            options.TokenFile = tokenFile ?? options.TokenFile;
            options.Node = node ?? options.Node;
            options.BrokerUrl = sink ?? options.BrokerUrl;
            options.Slo = slo ?? options.Slo;
            if (policy is not null)
            {
                options.Policy = Enum.Parse<PredictorPolicy>(policy, ignoreCase: true);
            }

            options.Databelt.Destination = destination ?? options.Databelt.Destination;
            options.Databelt.Fuse = fuse ?? options.Databelt.Fuse;
        };
    }

    private static KubernetesTopologyFeed? ReadKubernetes(ServiceConfiguration settings, TopologySourceSettings topology)
    {
        try
        {
            // Nodes and links only: the Predictor never talks to a StateSink, so it needs no access to pods.
            return new KubernetesTopologyFeed(
                KubernetesTopologyFeed.ClientConfiguration(topology.Kubeconfig),
                new KubernetesTopologyOptions { ListSinkEndpoints = false },
                topology.Refresh);
        }
        catch (KubernetesTopologyException error)
        {
            topology.KubeconfigProblem(settings, error.Message);
            return null;
        }
    }
}
