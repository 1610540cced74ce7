using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// What <c>skylark up</c> runs and where, decided once from the manifests <c>skylark deploy render</c> writes for the
/// topology and options: which nodes have a redis-server, which service instances run on each node and on the control
/// node, which nodes ingest cameras and publish alarms on which MQTT broker, the broker's model (the rendered eventing
/// resources) and which instances each Service name reaches. Both runtimes
/// start from it: <see cref="EmulatedCluster"/> in this process, <see cref="ProcessCluster"/> one OS process per instance.
/// </summary>
public sealed class ClusterPlan
{
    private readonly Dictionary<string, MqttConnection> _cameraBrokers;
    private readonly Dictionary<string, MqttConnection> _alarmBrokers;
    private readonly Dictionary<string, MqttConnection> _embeddedMqtt;

    private ClusterPlan(
        NetworkTopology topology,
        UpOptions options,
        RenderedCluster rendered,
        EventingModel brokerModel,
        IReadOnlySet<string> ingestNodes,
        Dictionary<string, MqttConnection> cameraBrokers,
        Dictionary<string, MqttConnection> alarmBrokers,
        Dictionary<string, MqttConnection> embeddedMqtt,
        MqttAccessList? mqttAccess)
    {
        Topology = topology;
        Mode = options.Mode;
        CentralNode = (topology.NodesOfType(NodeType.Cloud).FirstOrDefault() ?? topology.Nodes[0]).Name;
        ControlNode = options.ControlNode ?? CentralNode;
        BrokerModel = brokerModel;
        IngestNodes = ingestNodes;
        _cameraBrokers = cameraBrokers;
        _alarmBrokers = alarmBrokers;
        _embeddedMqtt = embeddedMqtt;
        MqttAccess = mqttAccess;
        Rendered = rendered;
        StoreNodes = rendered.NodesOf(RedisDeployable);
        Instances = [.. topology.Nodes.SelectMany(NodeInstances), .. ControlInstances()];
        Routes = RoutesOf(rendered, Instances);
    }

    /// <summary>The rendered resources the plan is derived from.</summary>
    public RenderedCluster Rendered { get; }

    public NetworkTopology Topology { get; }

    public StateMode Mode { get; }

    /// <summary>The cloud node: in <see cref="StateMode.Central"/> the one state store.</summary>
    public string CentralNode { get; }

    /// <summary>Where the broker, the serving router, the dead-letter sink and the Predictor run.</summary>
    public string ControlNode { get; }

    /// <summary>The nodes that run a redis-server of their own (in <see cref="StateMode.Central"/>, only the cloud).</summary>
    public IReadOnlyList<string> StoreNodes { get; }

    /// <summary>The nodes whose camera ingest subscribes to an MQTT broker.</summary>
    public IReadOnlySet<string> IngestNodes { get; }

    /// <summary>The rendered Broker, Triggers, PingSources and EventPolicies, with the run's extra resources and Triggers.</summary>
    public EventingModel BrokerModel { get; }

    /// <summary>Every service instance, node by node and then the control plane's.</summary>
    public IReadOnlyList<ServiceInstance> Instances { get; }

    /// <summary>
    /// Per ingest node, the MQTT broker its cameras publish to (the node's embedded server, or the external broker),
    /// logged in as the operator when the servers are embedded: it reads alarms and dead letters, not frames.
    /// </summary>
    public IReadOnlyDictionary<string, MqttConnection> CameraBrokers => As(_cameraBrokers, MqttAccessList.OperatorUser);

    /// <summary>Per node hosting alarm (with camera ingest on), the MQTT broker its alarms are published to, logged in as the operator.</summary>
    public IReadOnlyDictionary<string, MqttConnection> AlarmBrokers => As(_alarmBrokers, MqttAccessList.OperatorUser);

    /// <summary>The nodes that run an embedded MQTT server, and its address.</summary>
    public IReadOnlyDictionary<string, MqttConnection> EmbeddedMqtt => _embeddedMqtt;

    /// <summary>
    /// Who may use the embedded MQTT servers (one list for all of them, passwords generated for this run); null with an
    /// external broker, whose own configuration decides.
    /// </summary>
    public MqttAccessList? MqttAccess { get; }

    /// <summary>The broker <paramref name="node"/>'s camera ingest subscribes to, logged in as the ingest service.</summary>
    public MqttConnection IngestBroker(string node) => As(_cameraBrokers[node], MqttAccessList.IngestUser);

    /// <summary>The broker <paramref name="node"/>'s alarm function publishes to, logged in as the alarm service.</summary>
    public MqttConnection AlarmPublisherBroker(string node) => As(_alarmBrokers[node], MqttAccessList.AlarmUser);

    /// <summary>
    /// The broker of ingest node <paramref name="node"/> as camera <paramref name="camera"/> reaches it: with the camera's
    /// own user on an embedded server (created with a random password on first use), as given with an external one.
    /// </summary>
    public MqttConnection CameraBroker(string node, string camera) =>
        MqttAccess is { } access ? access.Camera(camera).On(_cameraBrokers[node]) : _cameraBrokers[node];

    /// <summary>What a user needs to log in to the embedded servers: the operator's and the cameras' passwords; null with an external broker.</summary>
    public IReadOnlyDictionary<string, string>? MqttPasswords =>
        MqttAccess?.Users.Where(u => u.Role is MqttRole.Operator or MqttRole.Camera).ToDictionary(u => u.Name, u => u.Password, StringComparer.Ordinal);

    /// <summary>The URL of the broker <paramref name="node"/>'s cameras publish to, without a user; null when it ingests no cameras.</summary>
    public Uri? EmbeddedOrExternalUrl(string node) =>
        _cameraBrokers.TryGetValue(node, out var broker) ? new MqttConnection(broker.Host, broker.Port, broker.UseTls, MqttAccess is null ? broker.UserName : null).Url : null;

    private MqttConnection As(MqttConnection broker, string user) => MqttAccess is { } access ? access[user].On(broker) : broker;

    private Dictionary<string, MqttConnection> As(Dictionary<string, MqttConnection> brokers, string user) =>
        brokers.ToDictionary(b => b.Key, b => As(b.Value, user), StringComparer.Ordinal);

    /// <summary>The node whose Redis holds <paramref name="node"/>'s state.</summary>
    public string StoreOf(string node) => Mode == StateMode.Central ? CentralNode : node;

    public IEnumerable<ServiceInstance> InstancesOn(string node) => Instances.Where(i => i.Node == node && !i.IsControlPlane);

    /// <exception cref="TopologyValidationException">The topology file is invalid.</exception>
    /// <exception cref="ResourceValidationException">The eventing YAML is invalid.</exception>
    /// <exception cref="ArgumentException">
    /// The topology places a function nobody hosts, the control node or ingest node is not in it, or the manifests do not
    /// fit the topology and mode.
    /// </exception>
    /// <exception cref="InvalidDataException">The manifests folder holds something the renderer does not write.</exception>
    public static ClusterPlan Create(UpOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var topology = TopologyLoader.Load(options.TopologyPath);
        var known = options.Functions.Select(f => f.Name).ToList();
        var unknown = topology.Nodes.SelectMany(n => n.Functions).Distinct().Except(known).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Topology '{topology.Name}' places unknown function(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known)}.");
        }

        if (options.ControlNode is { } control && !topology.TryGetNode(control, out _))
        {
            throw new ArgumentException($"--control-node '{control}' is not a node of topology '{topology.Name}'; its nodes: {string.Join(", ", topology.Nodes.Select(n => n.Name))}.");
        }

        var logger = loggerFactory.CreateLogger("Skylark.Events.Eventing.Resources");
        var rendered = options.ManifestsPath is { } folder
            ? RenderedCluster.Load(folder, logger)
            : RenderedCluster.Of(ManifestRenderer.Render(new DeployOptions(options.TopologyPath)
            {
                EventingPath = options.EventingPath,
                Mode = options.Mode,
                Serving = options.Serving,
                HostedFunctions = known,
            }));
        Check(rendered, topology, options, known);

        // The user's own resources (--eventing) and the run's observers come on top of what a cluster would get.
        var extra = options.ExtraEventing.Count == 0 ? EventingModel.Empty : ResourceLoader.Load(options.ExtraEventing, logger);
        var model = rendered.Eventing with
        {
            Brokers = [.. rendered.Eventing.Brokers, .. extra.Brokers],
            Triggers = [.. rendered.Eventing.Triggers, .. extra.Triggers, .. options.ExtraTriggers],
            PingSources = [.. rendered.Eventing.PingSources, .. extra.PingSources],
            EventPolicies = [.. rendered.Eventing.EventPolicies, .. extra.EventPolicies],
        };

        var ingestNodes = IngestNodesOf(topology, rendered, options.CameraIngest);
        var cameraBrokers = new Dictionary<string, MqttConnection>(StringComparer.Ordinal);
        var alarmBrokers = new Dictionary<string, MqttConnection>(StringComparer.Ordinal);
        var embeddedMqtt = new Dictionary<string, MqttConnection>(StringComparer.Ordinal);
        MqttAccessList? mqttAccess = null;
        if (options.CameraIngest is { } setup)
        {
            if (setup.ExternalBroker is null)
            {
                // Fresh passwords every run: nothing outlives it, and nothing needs to be configured for the lab.
                mqttAccess = MqttAccessList.WithServices();
                foreach (var camera in setup.Cameras)
                {
                    mqttAccess.Camera(camera);
                }
            }

            var alarmNodes = rendered.NodesOf(CameraPipelineFunctions.Alarm);
            foreach (var node in rendered.NodesOf(MosquittoDeployable).Where(n => ingestNodes.Contains(n) || alarmNodes.Contains(n)))
            {
                // Known before anything starts, so the alarm publisher and the bridge can be told the address.
                var mqtt = setup.ExternalBroker ?? new MqttConnection("127.0.0.1", ReservedPorts.Reserve());
                if (setup.ExternalBroker is null)
                {
                    embeddedMqtt[node] = mqtt;
                }

                if (ingestNodes.Contains(node))
                {
                    cameraBrokers[node] = mqtt;
                }

                if (alarmNodes.Contains(node))
                {
                    alarmBrokers[node] = mqtt;
                }
            }
        }

        return new ClusterPlan(topology, options, rendered, model, ingestNodes, cameraBrokers, alarmBrokers, embeddedMqtt, mqttAccess);
    }

    /// <summary>What the broker resolves a Trigger's or PingSource's subscriber name to: the instances behind that Service.</summary>
    /// <remarks>
    /// A rendered Knative Service placed on several nodes (round-robin serving) has an instance on each, which Knative
    /// spreads requests over; every other name reaches one instance. Redis and mosquitto are not event receivers and
    /// are left out.
    /// </remarks>
    public IReadOnlyDictionary<string, IReadOnlyList<ServiceInstance>> Routes { get; }

    private const string RedisDeployable = "redis";
    private const string MosquittoDeployable = "mosquitto";

    private static void Check(RenderedCluster rendered, NetworkTopology topology, UpOptions options, List<string> known)
    {
        var strangers = rendered.Workloads.SelectMany(w => w.Nodes).Distinct(StringComparer.Ordinal).Where(n => !topology.TryGetNode(n, out _)).ToList();
        if (strangers.Count > 0)
        {
            throw new ArgumentException($"The manifests place pods on node(s) {string.Join(", ", strangers)}, which topology '{topology.Name}' does not have; render them from the same topology.");
        }

        var notHosted = rendered.Workloads.Where(w => IsFunctionDeployable(w.Deployable) && !known.Contains(w.Deployable)).Select(w => w.Deployable).Distinct().ToList();
        if (notHosted.Count > 0)
        {
            throw new ArgumentException($"The manifests run {string.Join(", ", notHosted)}, which the local run cannot host; known functions: {string.Join(", ", known)}.");
        }

        // The mode decides what runs, so manifests rendered for another mode would quietly run that one instead.
        var sinks = rendered.Runs(ServiceInstance.StateSink);
        var predictor = rendered.Runs(ServiceInstance.Predictor);
        if (sinks != (options.Mode != StateMode.Central) || predictor != options.Mode.Propagates())
        {
            throw new ArgumentException(
                $"The manifests were rendered for another mode than '{options.Mode.Name()}' (StateSinks: {(sinks ? "yes" : "no")}, Predictor: {(predictor ? "yes" : "no")}); render them with --mode {options.Mode.Name()}.");
        }
    }

    private static bool IsFunctionDeployable(string deployable) =>
        deployable is not (ServiceInstance.StateSink or ServiceInstance.CameraIngest or ServiceInstance.Predictor or ServiceInstance.DeadLetters or RedisDeployable or MosquittoDeployable);

    /// <summary>A node's instances as the manifests place them: its StateSink, the functions pinned or spread there, its camera ingest.</summary>
    private IEnumerable<ServiceInstance> NodeInstances(Node node)
    {
        if (Rendered.NodesOf(ServiceInstance.StateSink).Contains(node.Name))
        {
            yield return new ServiceInstance(ServiceInstance.StateSink, node.Name);
        }

        foreach (var function in Rendered.Workloads.Where(w => IsFunctionDeployable(w.Deployable) && w.Nodes.Contains(node.Name)).Select(w => w.Deployable).Distinct(StringComparer.Ordinal))
        {
            yield return new ServiceInstance(function, node.Name);
        }

        if (IngestNodes.Contains(node.Name))
        {
            yield return new ServiceInstance(ServiceInstance.CameraIngest, node.Name);
        }
    }

    /// <summary>What runs anywhere on a cluster (unpinned), and the broker, runs on the control node here.</summary>
    private IEnumerable<ServiceInstance> ControlInstances()
    {
        if (Rendered.Runs(ServiceInstance.DeadLetters))
        {
            yield return new ServiceInstance(ServiceInstance.DeadLetters, ControlNode, IsControlPlane: true);
        }

        if (Rendered.Runs(ServiceInstance.Predictor))
        {
            yield return new ServiceInstance(ServiceInstance.Predictor, ControlNode, IsControlPlane: true);
        }

        // Knative's broker is the platform's, so no manifest names it; here it is one more control-plane instance.
        yield return new ServiceInstance(ServiceInstance.Broker, ControlNode, IsControlPlane: true);
    }

    private static Dictionary<string, IReadOnlyList<ServiceInstance>> RoutesOf(RenderedCluster rendered, IReadOnlyList<ServiceInstance> instances)
    {
        var routes = new Dictionary<string, IReadOnlyList<ServiceInstance>>(StringComparer.Ordinal);
        foreach (var (name, workload) in rendered.Addressable)
        {
            if (workload.Deployable is RedisDeployable or MosquittoDeployable)
            {
                continue;
            }

            routes[name] = [.. instances.Where(i => i.Deployable == workload.Deployable && (i.IsControlPlane || workload.Nodes.Contains(i.Node)))];
        }

        return routes;
    }

    /// <summary>The rendered camera ingest nodes the run uses: none without cameras, the one chosen, or with one external broker only the first.</summary>
    private static HashSet<string> IngestNodesOf(NetworkTopology topology, RenderedCluster rendered, CameraIngestSetup? ingest)
    {
        if (ingest is null)
        {
            return [];
        }

        if (ingest.Node is { } chosen)
        {
            _ = topology.GetNode(chosen);
            return [chosen];
        }

        var hosting = rendered.NodesOf(ServiceInstance.CameraIngest);
        if (hosting.Count == 0)
        {
            throw new ArgumentException($"Camera ingest needs a node hosting '{CameraPipelineFunctions.Ingest}'; topology '{topology.Name}' has none.");
        }

        // One external broker has one subscriber: otherwise every bridge would ingest every frame.
        return ingest.ExternalBroker is null ? [.. hosting] : [hosting[0]];
    }
}
/// <summary>
/// One service instance of a <see cref="ClusterPlan"/>: a deployable (<see cref="StateSink"/>, a function's name, …)
/// on a node. On a cluster it is a pod; in <see cref="ProcessCluster"/> an OS process.
/// </summary>
/// <param name="Deployable">The deployable it runs: one of the constants here, or a function's name.</param>
/// <param name="Node">The node it runs on.</param>
/// <param name="IsControlPlane">It serves the whole cluster (the broker, the Predictor, the dead-letter sink), not its node.</param>
public sealed record ServiceInstance(string Deployable, string Node, bool IsControlPlane = false)
{
    public const string StateSink = "statesink";
    public const string CameraIngest = "camera-ingest";
    public const string Broker = "broker";
    public const string Predictor = "predictor";
    public const string DeadLetters = "dead-letters";

    /// <summary>Unique in a plan: <c>statesink-edge</c>, <c>preprocess-edge</c>; the control plane's by deployable alone.</summary>
    public string Name => IsControlPlane ? Deployable : $"{Deployable}-{Node}";

    public bool IsFunction => Deployable is not (StateSink or CameraIngest or Broker or Predictor or DeadLetters);
}
