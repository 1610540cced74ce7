using System.Security.Cryptography;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.CameraIngest;
using Skylark.Events.Contracts;
using Skylark.Events.DeadLetters;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Alarm.Mqtt;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
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
/// proxies between nodes; on the control node, the broker running the rendered eventing resources, the serving layer
/// resolving their subscribers to instances, and the Predictor, whose events to and from other nodes cross
/// the emulated links too (unless <see cref="UpOptions.InstantControlPlane"/>); optionally MQTT camera ingest.
/// Disposing stops everything it started.
/// </summary>
/// <remarks>
/// In <see cref="StateMode.Central"/> no node has a StateSink and every node's state store is the cloud node's Redis,
/// reached through the link proxy of the node's path to the cloud; in <see cref="StateMode.OnDemand"/> the Predictor
/// does not run (its Triggers are dropped), so inputs are pulled when a function reads them.
/// </remarks>
public sealed class EmulatedCluster : IUpCluster
{
    /// <summary>The file dead letters are kept in, in <see cref="UpOptions.WorkDirectory"/>.</summary>
    public const string DeadLetterFileName = "dead-letters.jsonl";

    private const string DeadLetterPath = "/dead-letters";

    private readonly List<IAsyncDisposable> started = [];
    private readonly Dictionary<string, Uri> nodeUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Uri> sinkUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RedisProcess> redis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IServiceProvider> nodeServices = new(StringComparer.Ordinal);
    private readonly UpOptions options;
    private readonly ClusterPlan plan;
    private readonly Dictionary<string, HostedFunction> functions;
    private IServiceProvider? predictorServices;
    private ClusterIdentity? identity;
    private DeadLetterMetrics? deadLetterMetrics;
    private Uri? deadLetterSink;

    private EmulatedCluster(ClusterPlan plan, TopologyClock clock, LinkEmulator links, string peerToken, UpOptions options)
    {
        this.plan = plan;
        Clock = clock;
        Links = links;
        PeerToken = peerToken;
        this.options = options;
        functions = options.Functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }


    public StateMode Mode => options.Mode;

    /// <summary>The cloud node: in <see cref="StateMode.Central"/> the one state store.</summary>
    public string CentralNode => plan.CentralNode;

    /// <summary>Where the broker, the serving router, the dead-letter sink and the Predictor run (<see cref="UpOptions.ControlNode"/>).</summary>
    public string ControlNode => plan.ControlNode;

    /// <summary>True when the control plane does not cross the emulated links (<see cref="UpOptions.InstantControlPlane"/>).</summary>
    public bool InstantControlPlane => options.InstantControlPlane;

    /// <summary>Per ingest node, the MQTT broker its cameras publish to (the node's embedded server, or the external broker), as the operator.</summary>
    public IReadOnlyDictionary<string, MqttConnection> CameraBrokers => plan.CameraBrokers;

    /// <summary>Per node hosting alarm (with camera ingest on), the MQTT broker its alarms are published to on <c>alarms/&lt;camera&gt;</c>, as the operator.</summary>
    public IReadOnlyDictionary<string, MqttConnection> AlarmBrokers => plan.AlarmBrokers;

    /// <summary>Who may use the embedded MQTT servers; null with an external broker.</summary>
    public MqttAccessList? MqttAccess => plan.MqttAccess;

    public MqttConnection CameraBroker(string node, string camera) => plan.CameraBroker(node, camera);

    /// <summary>The Predictor's base URL; null when the mode runs none.</summary>
    public Uri? PredictorUrl { get; private set; }

    /// <summary>What the Predictor has done so far; null when the mode runs none.</summary>
    public PredictorMetricsSnapshot? PredictorMetrics => predictorServices?.GetRequiredService<PredictorMetrics>().Snapshot();

    /// <summary>Services of a node's process (its state, StateSink, functions), for observing a run.</summary>
    public IServiceProvider NodeServices(string node) => nodeServices[node];

    /// <summary>Each store node's redis-server, by node name.</summary>
    public IReadOnlyDictionary<string, RedisProcess> Redis => redis;

    public NetworkTopology Topology => plan.Topology;

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

    public event EventHandler<CloudNative.CloudEvents.CloudEvent>? DeadLettered;

    public Task<PredictorMetricsSnapshot?> PredictorMetricsAsync(CancellationToken cancellationToken) => Task.FromResult(PredictorMetrics);

    public Task<long> DeadLettersReceivedAsync(CancellationToken cancellationToken) => Task.FromResult(DeadLetterMetrics.Received);

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

    public EndpointsFile Endpoints => new EndpointsFile(
        BrokerIngress,
        Topology.Nodes.ToDictionary(
            n => n.Name,
            n =>
            {
                // With a central store a node has no Redis of its own: it names the store it uses, directly.
                var store = redis[redis.ContainsKey(n.Name) ? n.Name : CentralNode];
                return new NodeEndpoints(store.Endpoint, store.Password, nodeUrls[n.Name])
                {
                    Mqtt = plan.EmbeddedOrExternalUrl(n.Name),
                };
            },
            StringComparer.Ordinal))
    {
        MqttPasswords = plan.MqttPasswords,
        Tokens = identity?.Tokens,
    };

    /// <exception cref="TopologyValidationException">The topology file is invalid.</exception>
    /// <exception cref="ResourceValidationException">The eventing YAML is invalid.</exception>
    /// <exception cref="RedisServerNotFoundException">redis-server is not installed.</exception>
    public static async Task<EmulatedCluster> StartAsync(UpOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var plan = ClusterPlan.Create(options, loggerFactory);
        var clock = new TopologyClock(plan.Topology, TimeProvider.System, logger: loggerFactory.CreateLogger<TopologyClock>());
        var links = new LinkEmulator(clock, loggerFactory: loggerFactory);
        var cluster = new EmulatedCluster(plan, clock, links, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), options);
        try
        {
            // Nodes (their camera bridges) and the Predictor send to the broker and the dead-letter sink, and the broker
            // delivers to them: reserve the control plane's ports first so everyone can be told its addresses.
            var brokerPort = ReservedPorts.Reserve();
            var servingPort = ReservedPorts.Reserve();
            cluster.BrokerIngress = new Uri($"http://127.0.0.1:{brokerPort}/{SkylarkDefaults.Namespace}/{SkylarkDefaults.Broker}");
            cluster.deadLetterSink = new Uri($"http://127.0.0.1:{servingPort}{DeadLetterPath}");
            if (options.Auth)
            {
                // First started, last stopped: every service reads its token and the receivers the issuer's keys.
                options.Progress?.Report("starting the identity issuer (a token per service)");
                cluster.identity = await ClusterIdentity.StartAsync(plan, options.WorkDirectory, options.LogLevel, cancellationToken);
                cluster.started.Add(cluster.identity);
            }

            await cluster.StartNodesAsync(cancellationToken);
            await cluster.StartControlPlaneAsync(plan.BrokerModel, brokerPort, servingPort, loggerFactory, cancellationToken);
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

    private async Task StartNodesAsync(CancellationToken cancellationToken)
    {
        foreach (var node in plan.StoreNodes)
        {
            options.Progress?.Report($"starting redis-server for {node}");
            var process = await RedisProcess.StartAsync(
                node,
                extraArguments: RedisPersistence.Arguments(options.RedisFsync),
                users: ClusterRedisUsers.For(plan, KeyPrefix()),
                cancellationToken: cancellationToken);
            redis[node] = process;
            started.Add(process);
        }

        var directory = new EmulatedSinkDirectory(Links, sinkUrls);
        foreach (var node in Topology.Nodes)
        {
            var instances = plan.InstancesOn(node.Name).ToList();
            options.Progress?.Report($"starting node {node.Name}: {Describe(instances)}{(plan.EmbeddedMqtt.ContainsKey(node.Name) ? ", its MQTT server" : "")}");
            var app = await LocalWebApp.StartAsync(
                $"node-{node.Name}",
                services => ConfigureNode(services, node, instances, directory),
                endpoints => MapNode(endpoints, instances),
                minimumLogLevel: options.LogLevel,
                cancellationToken: cancellationToken);
            nodeUrls[node.Name] = app.Url;
            nodeServices[node.Name] = app.Services;
            if (Mode != StateMode.Central)
            {
                sinkUrls[node.Name] = app.Url;
            }

            started.Add(app);
            if (plan.IngestNodes.Contains(node.Name))
            {
                await app.Services.GetRequiredService<CameraIngestBridge>().WaitUntilSubscribedAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
        }
    }

    /// <summary>A node's services for a progress line: its functions and sinks by name, or that it hosts none.</summary>
    internal static string Describe(IReadOnlyCollection<ServiceInstance> instances) =>
        instances.Count == 0 ? "no services" : string.Join(", ", instances.Select(i => i.Deployable));

    /// <summary>The key prefix the nodes' state ends up with once <see cref="UpOptions.ConfigureState"/> ran.</summary>
    private string KeyPrefix()
    {
        var state = new StateOptions();
        options.ConfigureState?.Invoke(state);
        return state.KeyPrefix;
    }

    private void ConfigureNode(IServiceCollection services, Node node, IReadOnlyList<ServiceInstance> instances, ISinkDirectory directory)
    {
        var storeNode = plan.StoreOf(node.Name);
        var store = redis[storeNode];
        var endpoint = storeNode == node.Name
            ? store.Endpoint
            : Links.EndpointFor(node.Name, storeNode, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, store.Port)).ToString();
        services.AddSkylarkState(state =>
        {
            state.Configuration = endpoint;
            // One app hosts all of a node's instances on one connection, so they share the StateSink's user: confined
            // to the project's keys and harmless commands, though not each function to its own bundles (the process
            // runtime gives each its own user).
            state.User = ClusterRedisUsers.StateSink;
            state.Password = store.Users[ClusterRedisUsers.StateSink].Password;
            state.Node = storeNode;
            state.HostNode = storeNode == node.Name ? null : node.Name;
            options.ConfigureState?.Invoke(state);
        });
        if (plan.EmbeddedMqtt.TryGetValue(node.Name, out var embedded))
        {
            services.AddEmbeddedMqttServer(mqtt =>
            {
                mqtt.Port = embedded.Port;
                mqtt.Access = plan.MqttAccess;
            });
        }

        if (plan.AlarmBrokers.ContainsKey(node.Name))
        {
            // Registered before the function, which keeps a publisher that is already there.
            services.AddSingleton<IAlarmPublisher>(sp => new MqttAlarmPublisher(
                plan.AlarmPublisherBroker(node.Name).CreateClientOptions($"skylark-alarm-{node.Name}").Build(), sp.GetService<ILogger<MqttAlarmPublisher>>()));
        }

        // One app per node hosts all its instances, so a function's read waits for the sink's in-flight pull.
        foreach (var instance in instances)
        {
            switch (instance.Deployable)
            {
                case ServiceInstance.StateSink:
                    services.AddSingleton(directory);
                    services.AddStateSink(sink =>
                    {
                        sink.PeerToken = PeerToken;
                        sink.Topology = Topology;
                        sink.TopologyEpoch = Clock.Schedule.Epoch;
                        if (identity is not null)
                        {
                            sink.Verification.Issuer = identity.Issuer;
                            foreach (var policy in plan.BrokerModel.EventPolicies)
                            {
                                sink.Policies.Add(policy);
                            }
                        }
                    });
                    break;
                case ServiceInstance.CameraIngest:
                    var setup = options.CameraIngest!;
                    services.AddCameraIngest(bridge =>
                    {
                        // Without an external broker every ingest node runs its own server (registered above, so it listens first).
                        bridge.Broker = plan.IngestBroker(node.Name);
                        bridge.SinkUrl = IngressFrom(node.Name);
                        bridge.DeadLetterSinkUrl = ControlPath(node.Name, ControlNode, deadLetterSink!);
                        bridge.ClientId = $"skylark-ingest-{node.Name}";
                        bridge.MaxFrameBytes = setup.MaxFrameBytes;
                        bridge.TokenFile = identity?.TokenFileOf(ClusterIdentity.CameraIngest);

                        // The cluster decides where events go; a K_SINK in the caller's environment is not meant for it.
                        bridge.Environment = new Dictionary<string, string?>();
                    });
                    break;
                default:
                    functions[instance.Deployable].Register(services);
                    break;
            }
        }
    }

    private void MapNode(WebApplication app, IReadOnlyList<ServiceInstance> instances)
    {
        foreach (var instance in instances)
        {
            if (instance.Deployable == ServiceInstance.StateSink)
            {
                app.MapStateSink();
            }
            else if (instance.IsFunction)
            {
                functions[instance.Deployable].Map(app, FunctionPath(instance.Deployable));
            }
        }
    }

    private static string FunctionPath(string function) => $"/fn/{function}";

    private async Task StartControlPlaneAsync(EventingModel model, int brokerPort, int servingPort, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkDirectory);

        Uri? servingUrl = null;
        var layer = ServingLayer.Create(plan, InstanceUrl, loggerFactory);
        options.Progress?.Report("starting the serving router and the dead-letter sink");
        var serving = await LocalWebApp.StartAsync(
            "serving",
            services => services.AddDeadLetters(deadLetters => deadLetters.LogPath = Path.Combine(options.WorkDirectory, DeadLetterFileName)),
            app =>
            {
                layer.Map(app);
                app.MapDeadLetters(DeadLetterPath);
            },
            port: servingPort,
            minimumLogLevel: options.LogLevel,
            cancellationToken: cancellationToken);
        started.Add(serving);
        servingUrl = serving.Url;
        DeadLetters = serving.Services.GetRequiredService<DeadLetterLog>();
        DeadLetters.Stored += (_, stored) => DeadLettered?.Invoke(this, stored.DeadLetter.Event);
        deadLetterMetrics = serving.Services.GetRequiredService<DeadLetterMetrics>();
        started.Add(layer);
        if (plan.Instances.Any(i => i.Deployable == ServiceInstance.Predictor))
        {
            await StartPredictorAsync(cancellationToken);
        }

        var services = layer.BrokerServices(serving.Url);

        // The control plane reaches each node's instances across the path to it: deliveries, propagate commands, sync pings.
        Uri InstanceUrl(ServiceInstance instance) => instance.Deployable switch
        {
            ServiceInstance.DeadLetters => new(servingUrl!, DeadLetterPath.TrimStart('/')),
            ServiceInstance.Predictor => PredictorUrl!,
            ServiceInstance.StateSink => ControlPath(ControlNode, instance.Node, sinkUrls[instance.Node]),
            _ => ControlPath(ControlNode, instance.Node, new Uri(nodeUrls[instance.Node], FunctionPath(instance.Deployable))),
        };

        options.Progress?.Report($"starting the broker on {ControlNode}");
        var broker = await LocalWebApp.StartAsync(
            "broker",
            collection =>
            {
                collection.AddBroker(broker =>
                {
                    broker.Model = model;
                    broker.ShutdownDrainTimeout = options.BrokerShutdownDrain;
                    broker.Node = ControlNode;
                    if (identity is not null)
                    {
                        broker.Verification.Issuer = identity.Issuer;
                        broker.TokenIssuer = identity.Issuer;
                        broker.TokenFile = identity.TokenFileOf(ClusterIdentity.Broker);
                    }

                    if (options.JournalDirectory is { } journal)
                    {
                        broker.Journal = new JournalOptions { Directory = journal, Repair = options.JournalRepair };
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

    private async Task StartPredictorAsync(CancellationToken cancellationToken)
    {
        // The Predictor runs beside the broker; its model is persisted in that node's Redis.
        var predictorRedis = redis.TryGetValue(ControlNode, out var local) ? local : redis[CentralNode];
        options.Progress?.Report($"starting the Predictor on {ControlNode}");
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
                predictorOptions.RedisUser = ClusterRedisUsers.Predictor;
                predictorOptions.RedisPassword = predictorRedis.Users[ClusterRedisUsers.Predictor].Password;
                predictorOptions.BrokerUrl = BrokerIngress;
                predictorOptions.Node = ControlNode;
                predictorOptions.TokenFile = identity?.TokenFileOf(ClusterIdentity.Predictor);
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
    }
}
