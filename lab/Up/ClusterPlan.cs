using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// What <c>skylark up</c> runs and where, decided once from the topology and the options: which nodes have a
/// redis-server, which service instances run on each node and on the control node, which nodes ingest cameras and
/// publish alarms on which MQTT broker, and the broker's model with its per-node propagate Triggers. Both runtimes
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
        StoreNodes = Mode == StateMode.Central ? [CentralNode] : [.. topology.Nodes.Select(n => n.Name)];
        Instances = [.. topology.Nodes.SelectMany(NodeInstances), .. ControlInstances()];
    }

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

    /// <summary>eventing/ plus the per-node propagate Triggers, or without the Predictor's Triggers when the mode runs none.</summary>
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
    /// <exception cref="ArgumentException">The topology places a function nobody hosts, or the control node or ingest node is not in it.</exception>
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

        var eventing = ResourceLoader.Load([options.EventingPath, .. options.ExtraEventing], loggerFactory.CreateLogger("Skylark.Events.Eventing.Resources"));
        var model = options.Mode.Propagates()
            ? eventing with { Triggers = [.. eventing.Triggers, .. NodeTriggers.For(topology), .. options.ExtraTriggers] }
            : eventing with { Triggers = [.. eventing.Triggers.Where(t => !IsPredictorTrigger(t)), .. options.ExtraTriggers] };

        var ingestNodes = IngestNodesOf(topology, options.CameraIngest);
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

            foreach (var node in topology.Nodes.Where(n => ingestNodes.Contains(n.Name) || n.Functions.Contains(CameraPipelineFunctions.Alarm)))
            {
                // Known before anything starts, so the alarm publisher and the bridge can be told the address.
                var mqtt = setup.ExternalBroker ?? new MqttConnection("127.0.0.1", ReservedPorts.Reserve());
                if (setup.ExternalBroker is null)
                {
                    embeddedMqtt[node.Name] = mqtt;
                }

                if (ingestNodes.Contains(node.Name))
                {
                    cameraBrokers[node.Name] = mqtt;
                }

                if (node.Functions.Contains(CameraPipelineFunctions.Alarm))
                {
                    alarmBrokers[node.Name] = mqtt;
                }
            }
        }

        return new ClusterPlan(topology, options, model, ingestNodes, cameraBrokers, alarmBrokers, embeddedMqtt, mqttAccess);
    }

    private IEnumerable<ServiceInstance> NodeInstances(Node node)
    {
        if (Mode != StateMode.Central)
        {
            yield return new ServiceInstance(ServiceInstance.StateSink, node.Name);
        }

        foreach (var function in node.Functions)
        {
            yield return new ServiceInstance(function, node.Name);
        }

        if (IngestNodes.Contains(node.Name))
        {
            yield return new ServiceInstance(ServiceInstance.CameraIngest, node.Name);
        }
    }

    private IEnumerable<ServiceInstance> ControlInstances()
    {
        yield return new ServiceInstance(ServiceInstance.DeadLetters, ControlNode, IsControlPlane: true);
        if (Mode.Propagates())
        {
            yield return new ServiceInstance(ServiceInstance.Predictor, ControlNode, IsControlPlane: true);
        }

        yield return new ServiceInstance(ServiceInstance.Broker, ControlNode, IsControlPlane: true);
    }

    private static HashSet<string> IngestNodesOf(NetworkTopology topology, CameraIngestSetup? ingest)
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

        var hosting = topology.Nodes.Where(n => n.Functions.Contains(CameraPipelineFunctions.Ingest)).Select(n => n.Name).ToList();
        if (hosting.Count == 0)
        {
            throw new ArgumentException($"Camera ingest needs a node hosting '{CameraPipelineFunctions.Ingest}'; topology '{topology.Name}' has none.");
        }

        // One external broker has one subscriber: otherwise every bridge would ingest every frame.
        return ingest.ExternalBroker is null ? [.. hosting] : [hosting[0]];
    }

    private static bool IsPredictorTrigger(TriggerResource trigger) =>
        trigger.Subscriber.Ref is { Kind: "Service" } reference && string.Equals(reference.Name, "predictor", StringComparison.Ordinal);
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
