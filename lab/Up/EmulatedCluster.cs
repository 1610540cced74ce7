using System.Security.Cryptography;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.CameraIngest;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Contracts;
using Skylark.Events.DeadLetters;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Election;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// A whole multi-node topology on one machine: per node a password-protected redis-server and one service process
/// (its StateSink plus the functions the topology places there, sharing the node's Redis and in-flight pulls); link
/// proxies between nodes; on the control node, the broker running eventing/ plus one propagate Trigger per node,
/// Knative-Service-like routing to function instances and the Predictor, whose events to and from other nodes cross
/// the emulated links too (unless <see cref="UpOptions.InstantControlPlane"/>); optionally MQTT camera ingest.
/// Disposing stops everything it started.
/// </summary>
/// <remarks>
/// In <see cref="StateMode.Central"/> no node has a StateSink and every node's state store is the cloud node's Redis,
/// reached through the link proxy of the node's path to the cloud; in <see cref="StateMode.OnDemand"/> the Predictor
/// does not run (its Triggers are dropped), so inputs are pulled when a function reads them.
/// </remarks>
public sealed class EmulatedCluster : IAsyncDisposable
{
    /// <summary>The file dead letters are kept in, in <see cref="UpOptions.WorkDirectory"/>.</summary>
    public const string DeadLetterFileName = "dead-letters.jsonl";

    private readonly List<IAsyncDisposable> started = [];
    private readonly Dictionary<string, Uri> nodeUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Uri> sinkUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RedisProcess> redis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MqttConnection> cameraBrokers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MqttConnection> alarmBrokers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MqttConnection> embeddedMqtt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IServiceProvider> nodeServices = new(StringComparer.Ordinal);
    private readonly UpOptions options;
    private readonly Dictionary<string, HostedFunction> functions;
    private IServiceProvider? predictorServices;
    private DeadLetterMetrics? deadLetterMetrics;

    private EmulatedCluster(NetworkTopology topology, TopologyClock clock, LinkEmulator links, string peerToken, UpOptions options)
    {
        Topology = topology;
        Clock = clock;
        Links = links;
        PeerToken = peerToken;
        this.options = options;
        functions = options.Functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
        CentralNode = (topology.NodesOfType(NodeType.Cloud).FirstOrDefault() ?? topology.Nodes[0]).Name;
        ControlNode = options.ControlNode ?? CentralNode;
    }

    public StateMode Mode => options.Mode;

    /// <summary>The cloud node: in <see cref="StateMode.Central"/> the one state store.</summary>
    public string CentralNode { get; }

    /// <summary>Where the broker, the serving router, the dead-letter sink and the Predictor run (<see cref="UpOptions.ControlNode"/>).</summary>
    public string ControlNode { get; }

    /// <summary>True when the control plane does not cross the emulated links (<see cref="UpOptions.InstantControlPlane"/>).</summary>
    public bool InstantControlPlane => options.InstantControlPlane;

    /// <summary>Per ingest node, the MQTT broker its cameras publish to (the node's embedded server, or the external broker).</summary>
    public IReadOnlyDictionary<string, MqttConnection> CameraBrokers => cameraBrokers;

    /// <summary>Per node hosting alarm (with camera ingest on), the MQTT broker its alarms are published to on <c>alarms/&lt;camera&gt;</c>.</summary>
    public IReadOnlyDictionary<string, MqttConnection> AlarmBrokers => alarmBrokers;

    /// <summary>The Predictor's base URL; null when the mode runs none.</summary>
    public Uri? PredictorUrl { get; private set; }

    /// <summary>What the Predictor has done so far; null when the mode runs none.</summary>
    public PredictorMetricsSnapshot? PredictorMetrics => predictorServices?.GetRequiredService<PredictorMetrics>().Snapshot();

    /// <summary>Services of a node's process (its state, StateSink, functions), for observing a run.</summary>
    public IServiceProvider NodeServices(string node) => nodeServices[node];

    public NetworkTopology Topology { get; }

    public TopologyClock Clock { get; }

    public LinkEmulator Links { get; }

    public string PeerToken { get; }

    public Uri BrokerIngress { get; private set; } = null!;

    /// <summary>
    /// The dead-letter log the broker's deadLetterSink writes to (the <c>dead-letters</c> service, on the control
    /// node); its <see cref="DeadLetterLog.Stored"/> event tells observers of each dead letter once it is on disk.
    /// </summary>
    public DeadLetterLog DeadLetters { get; private set; } = null!;

    /// <summary>What the dead-letter log did since this cluster started (<see cref="DeadLetterMetricsSnapshot.Received"/>: this run's dead letters).</summary>
    public DeadLetterMetricsSnapshot DeadLetterMetrics => deadLetterMetrics!.Snapshot();

    public IReadOnlyDictionary<string, Uri> NodeUrls => nodeUrls;

    /// <summary>The broker ingress as a sender on <paramref name="node"/> reaches it: across the path to the control node.</summary>
    public Uri IngressFrom(string node) => ControlPath(node, ControlNode, BrokerIngress);

    /// <summary>
    /// <paramref name="target"/> on <paramref name="toNode"/> as a control-plane caller on <paramref name="fromNode"/>
    /// reaches it: through the emulated path, counted as <see cref="TrafficClass.Control"/>, unless the control plane is
    /// instant.
    /// </summary>
    private Uri ControlPath(string fromNode, string toNode, Uri target) =>
        options.InstantControlPlane || fromNode == toNode ? target : Links.UrlFor(fromNode, toNode, target, TrafficClass.Control);

    public EndpointsFile Endpoints => new(
        BrokerIngress,
        Topology.Nodes.ToDictionary(
            n => n.Name,
            n =>
            {
                // With a central store a node has no Redis of its own: it names the store it uses, directly.
                var store = redis[redis.ContainsKey(n.Name) ? n.Name : CentralNode];
                return new NodeEndpoints(store.Endpoint, store.Password, nodeUrls[n.Name])
                {
                    Mqtt = cameraBrokers.TryGetValue(n.Name, out var mqtt) ? mqtt.Url : null,
                };
            },
            StringComparer.Ordinal));

    /// <exception cref="TopologyValidationException">The topology file is invalid.</exception>
    /// <exception cref="ResourceValidationException">The eventing YAML is invalid.</exception>
    /// <exception cref="RedisServerNotFoundException">redis-server is not installed.</exception>
    public static async Task<EmulatedCluster> StartAsync(UpOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
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

        var clock = new TopologyClock(topology, TimeProvider.System, logger: loggerFactory.CreateLogger<TopologyClock>());
        var links = new LinkEmulator(clock, loggerFactory: loggerFactory);
        var cluster = new EmulatedCluster(topology, clock, links, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), options);
        try
        {
            // Nodes (their camera bridges) and the Predictor send to the broker, and the broker delivers to them:
            // reserve the broker's port first so everyone can be told its address.
            var brokerPort = ReservedPorts.Reserve();
            cluster.BrokerIngress = new Uri($"http://127.0.0.1:{brokerPort}/{SkylarkDefaults.Namespace}/{SkylarkDefaults.Broker}");
            await cluster.StartNodesAsync(cancellationToken);
            await cluster.StartControlPlaneAsync(model, brokerPort, loggerFactory, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Reverse start order: the broker stops taking events before the services behind it go away.
        for (var i = started.Count - 1; i >= 0; i--)
        {
            await started[i].DisposeAsync();
        }

        started.Clear();
        await Links.DisposeAsync();
        Clock.Dispose();
    }

    /// <summary>
    /// The objective Databelt's election runs with in <see cref="StateMode.Databelt"/>: one that every path meets, so
    /// each output is sent at completion all the way to the next function's node — the most favourable setting for
    /// Databelt here. With its default (25 ms, 60 Mbit/s) no output would reach the cloud over the 30 Mbit/s ground
    /// link, and a copy elected on a node between the two is never read in this engine (docs/databelt.md).
    /// </summary>
    public static SloSettings DatabeltSlo { get; } = new(maxLatencyMs: 3_600_000, minBandwidthMbps: 0);

    private static bool IsPredictorTrigger(TriggerResource trigger) =>
        trigger.Subscriber.Ref is { Kind: "Service" } reference && string.Equals(reference.Name, "predictor", StringComparison.Ordinal);

    private async Task StartNodesAsync(CancellationToken cancellationToken)
    {
        var stores = Mode == StateMode.Central ? [Topology.GetNode(CentralNode)] : Topology.Nodes;
        foreach (var node in stores)
        {
            var process = await RedisProcess.StartAsync(node.Name, cancellationToken: cancellationToken);
            redis[node.Name] = process;
            started.Add(process);
        }

        var ingestNodes = IngestNodes();
        if (options.CameraIngest is { } setup)
        {
            foreach (var node in Topology.Nodes.Where(n => ingestNodes.Contains(n.Name) || n.Functions.Contains(CameraPipelineFunctions.Alarm)))
            {
                // Known before the node starts, so its alarm publisher can be built with the address.
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

        var directory = new EmulatedSinkDirectory(Links, sinkUrls);
        foreach (var node in Topology.Nodes)
        {
            var ingest = ingestNodes.Contains(node.Name);
            var app = await LocalWebApp.StartAsync(
                $"node-{node.Name}",
                services => ConfigureNode(services, node, directory, ingest),
                endpoints => MapNode(endpoints, node),
                minimumLogLevel: options.LogLevel,
                cancellationToken: cancellationToken);
            nodeUrls[node.Name] = app.Url;
            nodeServices[node.Name] = app.Services;
            if (Mode != StateMode.Central)
            {
                sinkUrls[node.Name] = app.Url;
            }

            started.Add(app);
            if (ingest)
            {
                await app.Services.GetRequiredService<CameraIngestBridge>().WaitUntilSubscribedAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
        }

    }

    private HashSet<string> IngestNodes()
    {
        if (options.CameraIngest is not { } ingest)
        {
            return [];
        }

        var hosting = Topology.Nodes.Where(n => n.Functions.Contains(CameraPipelineFunctions.Ingest)).Select(n => n.Name).ToList();
        if (ingest.Node is { } chosen)
        {
            _ = Topology.GetNode(chosen);
            return [chosen];
        }

        if (hosting.Count == 0)
        {
            throw new ArgumentException($"Camera ingest needs a node hosting '{CameraPipelineFunctions.Ingest}'; topology '{Topology.Name}' has none.");
        }

        // One external broker has one subscriber: otherwise every bridge would ingest every frame.
        return ingest.ExternalBroker is null ? [.. hosting] : [hosting[0]];
    }

    private void ConfigureNode(IServiceCollection services, Node node, ISinkDirectory directory, bool ingest)
    {
        var storeNode = Mode == StateMode.Central ? CentralNode : node.Name;
        var store = redis[storeNode];
        var endpoint = storeNode == node.Name
            ? store.Endpoint
            : Links.EndpointFor(node.Name, storeNode, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, store.Port)).ToString();
        services.AddSkylarkState(state =>
        {
            state.Configuration = endpoint;
            state.Password = store.Password;
            state.Node = storeNode;
            state.HostNode = storeNode == node.Name ? null : node.Name;
            options.ConfigureState?.Invoke(state);
        });
        if (Mode != StateMode.Central)
        {
            services.AddSingleton(directory);
            services.AddStateSink(sink =>
            {
                sink.PeerToken = PeerToken;
                sink.Topology = Topology;
                sink.TopologyEpoch = Clock.Schedule.Epoch;
            });
        }

        if (embeddedMqtt.TryGetValue(node.Name, out var embedded))
        {
            services.AddEmbeddedMqttServer(mqtt => mqtt.Port = embedded.Port);
        }

        if (alarmBrokers.TryGetValue(node.Name, out var alarms))
        {
            // Registered before the function, which keeps a publisher that is already there.
            services.AddSingleton<IAlarmPublisher>(sp => new MqttAlarmPublisher(
                alarms.CreateClientOptions($"skylark-alarm-{node.Name}").Build(), sp.GetService<ILogger<MqttAlarmPublisher>>()));
        }

        foreach (var function in node.Functions)
        {
            functions[function].Register(services);
        }

        if (ingest)
        {
            var setup = options.CameraIngest!;

            services.AddCameraIngest(bridge =>
            {
                // Without an external broker every ingest node runs its own server (registered above, so it listens first).
                bridge.Broker = setup.ExternalBroker ?? embeddedMqtt[node.Name];
                bridge.SinkUrl = IngressFrom(node.Name);
                bridge.ClientId = $"skylark-ingest-{node.Name}";
                bridge.MaxFrameBytes = setup.MaxFrameBytes;

                // The cluster decides where events go; a K_SINK in the caller's environment is not meant for it.
                bridge.Environment = new Dictionary<string, string?>();
            });
        }
    }

    private void MapNode(WebApplication app, Node node)
    {
        if (Mode != StateMode.Central)
        {
            app.MapStateSink();
        }

        foreach (var function in node.Functions)
        {
            functions[function].Map(app, FunctionPath(function));
        }
    }

    private static string FunctionPath(string function) => $"/fn/{function}";

    private async Task StartControlPlaneAsync(EventingModel model, int brokerPort, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var router = new ServingRouter(
            Topology,
            nodeAndFunction =>
            {
                var slash = nodeAndFunction.IndexOf('/', StringComparison.Ordinal);
                var node = nodeAndFunction[..slash];
                return ControlPath(ControlNode, node, new Uri(nodeUrls[node], FunctionPath(nodeAndFunction[(slash + 1)..])));
            },
            () => Links.Paths[Clock.CurrentIndex],
            options.Serving,
            loggerFactory.CreateLogger<ServingRouter>());
        // The control plane reaches each node's sink across the path to it: propagate commands, sync pings.
        var controlSinkUrls = sinkUrls.ToDictionary(s => s.Key, s => ControlPath(ControlNode, s.Key, s.Value), StringComparer.Ordinal);
        var fanout = new SinkFanout(() => controlSinkUrls, loggerFactory.CreateLogger<SinkFanout>());
        var serving = await LocalWebApp.StartAsync(
            "serving",
            services => services.AddDeadLetters(deadLetters => deadLetters.LogPath = Path.Combine(options.WorkDirectory, DeadLetterFileName)),
            app =>
            {
                router.Map(app);
                fanout.Map(app, "/fanout/statesink");
                app.MapDeadLetters("/dead-letters");
            },
            minimumLogLevel: options.LogLevel,
            cancellationToken: cancellationToken);
        started.Add(serving);
        DeadLetters = serving.Services.GetRequiredService<DeadLetterLog>();
        deadLetterMetrics = serving.Services.GetRequiredService<DeadLetterMetrics>();
        started.Add(new DisposeAction(() => { router.Dispose(); fanout.Dispose(); }));

        var services = new Dictionary<string, Uri>(StringComparer.Ordinal)
        {
            ["statesink"] = new(serving.Url, "fanout/statesink"),
            ["dead-letters"] = new(serving.Url, "dead-letters"),
        };
        foreach (var function in functions.Keys)
        {
            services[function] = new Uri(serving.Url, $"services/{function}");
        }

        foreach (var (node, url) in controlSinkUrls)
        {
            services[NodeTriggers.SinkServiceName(node)] = url;
        }

        if (Mode.Propagates())
        {
            services["predictor"] = await StartPredictorAsync(cancellationToken);
        }

        var broker = await LocalWebApp.StartAsync(
            "broker",
            collection =>
            {
                collection.AddBroker(broker =>
                {
                    broker.Model = model;
                    broker.ShutdownDrainTimeout = options.BrokerShutdownDrain;
                    if (options.JournalDirectory is { } journal)
                    {
                        broker.Journal = new JournalOptions { Directory = journal };
                    }

                    foreach (var (name, url) in services)
                    {
                        broker.Services[name] = url;
                    }
                });
            },
            app => app.MapBroker(),
            port: brokerPort,
            minimumLogLevel: options.LogLevel,
            cancellationToken: cancellationToken);
        started.Add(broker);
    }

    private async Task<Uri> StartPredictorAsync(CancellationToken cancellationToken)
    {
        // The Predictor runs beside the broker; its model is persisted in that node's Redis.
        var predictorRedis = redis.TryGetValue(ControlNode, out var local) ? local : redis[CentralNode];
        var predictor = await LocalWebApp.StartAsync(
            "predictor",
            collection => collection.AddPredictor(predictorOptions =>
            {
                predictorOptions.EventingPaths.Add(options.EventingPath);
                foreach (var extra in options.ExtraEventing)
                {
                    predictorOptions.EventingPaths.Add(extra);
                }

                predictorOptions.TopologyPath = options.TopologyPath;
                predictorOptions.TopologyEpoch = Clock.Schedule.Epoch;
                predictorOptions.Redis = predictorRedis.Endpoint;
                predictorOptions.RedisPassword = predictorRedis.Password;
                predictorOptions.BrokerUrl = BrokerIngress;
                if (Mode == StateMode.Databelt)
                {
                    predictorOptions.Policy = PredictorPolicy.Databelt;
                    predictorOptions.Slo = DatabeltSlo;
                }

                options.ConfigurePredictor?.Invoke(predictorOptions);
            }),
            app => app.MapPredictor(),
            minimumLogLevel: options.LogLevel,
            cancellationToken: cancellationToken);
        started.Add(predictor);
        PredictorUrl = predictor.Url;
        predictorServices = predictor.Services;
        return predictor.Url;
    }

    private sealed class DisposeAction(Action action) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            action();
            return ValueTask.CompletedTask;
        }
    }
}
