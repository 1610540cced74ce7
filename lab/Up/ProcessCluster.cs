using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Emulation;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Predictor.Metrics;
using Skylark.Events.State;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// <c>skylark up --processes</c>: the topology of a <see cref="ClusterPlan"/> with every service instance as its own OS
/// process, started from its own Program with only what a pod gets — its settings as environment variables (node,
/// Redis address and password, <c>K_SINK</c>, peers, topology and its epoch), and a loopback port. What Knative and
/// the network would provide stays in this process: the link emulator between nodes, the serving layer in front of the
/// rendered Services, and the embedded MQTT servers. A <see cref="ProcessSupervisor"/> restarts a redis-server or service that
/// dies; disposing stops everything (SIGTERM, then SIGKILL after <see cref="StopGrace"/>).
/// </summary>
/// <remarks>
/// Node Redis runs with the AOF persistence of <see cref="UpOptions.RedisFsync"/>, as in-process, so a redis-server
/// the supervisor restarts comes back with its bundles. <see cref="StateMode.Central"/>, hooks given in code (<see cref="UpOptions.ConfigureState"/>,
/// <see cref="UpOptions.ConfigurePredictor"/>) and functions that are not deployables run only in-process
/// (<see cref="EmulatedCluster"/>).
/// </remarks>
public sealed partial class ProcessCluster : IUpCluster
{
    /// <summary>How long a stopping service gets between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(90);

    /// <summary>How long each process's span exporter batches (<c>OTEL_BSP_SCHEDULE_DELAY</c>; OpenTelemetry's default is 5 s).</summary>
    private const string TraceBatchDelayMilliseconds = "500";

    private static readonly JsonSerializerOptions StatusJson = new(JsonSerializerDefaults.Web);

    /// <summary>The deployables a plan may name, by their assemblies (built next to this host).</summary>
    private static readonly Dictionary<string, string> Assemblies = new(StringComparer.Ordinal)
    {
        [ServiceInstance.Broker] = "Skylark.Events.Broker",
        [ServiceInstance.Predictor] = "Skylark.Events.Predictor",
        [ServiceInstance.StateSink] = "Skylark.Events.StateSink",
        [ServiceInstance.DeadLetters] = "Skylark.Events.DeadLetters",
        [ServiceInstance.CameraIngest] = "Skylark.Events.CameraIngest",
        ["preprocess"] = "Skylark.Events.Functions.Preprocess",
        ["detect"] = "Skylark.Events.Functions.Detect",
        ["alarm"] = "Skylark.Events.Functions.Alarm",
    };

    private readonly ClusterPlan _plan;
    private readonly UpOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, RedisProcess> _redis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeployableProcess> _processes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private readonly List<IAsyncDisposable> _infrastructure = [];
    private readonly string _peerToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ClusterIdentity? _identity;
    private DeadLetterFeed? _deadLetters;

    private ProcessCluster(ClusterPlan plan, UpOptions options, TopologyClock clock, LinkEmulator links, ProcessSupervisor supervisor, ILogger logger)
    {
        _plan = plan;
        _options = options;
        Clock = clock;
        Links = links;
        Supervisor = supervisor;
        _logger = logger;
        foreach (var instance in plan.Instances)
        {
            _ports[instance.Name] = ReservedPorts.Reserve();
        }

        BrokerIngress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_ports[ServiceInstance.Broker]}/{SkylarkDefaults.Namespace}/{SkylarkDefaults.Broker}"));
    }

    public NetworkTopology Topology => _plan.Topology;

    public TopologyClock Clock { get; }

    public LinkEmulator Links { get; }

    public StateMode Mode => _plan.Mode;

    public string ControlNode => _plan.ControlNode;

    public bool InstantControlPlane => _options.InstantControlPlane;

    public Uri BrokerIngress { get; }

    /// <summary>Restarts so far, by instance (<c>statesink-edge</c>, <c>redis-edge</c>, …).</summary>
    public ProcessSupervisor Supervisor { get; }

    /// <summary>The OS process of every service instance, by its name (<see cref="ServiceInstance.Name"/>).</summary>
    public IReadOnlyDictionary<string, DeployableProcess> Processes => _processes;

    /// <summary>Each store node's redis-server.</summary>
    public IReadOnlyDictionary<string, RedisProcess> Redis => _redis;

    /// <summary>What <see cref="KillAsync"/> can kill: every service instance, and <c>redis-&lt;node&gt;</c> per node Redis.</summary>
    public IReadOnlyList<string> InstanceNames => [.. _processes.Keys.Concat(_redis.Keys.Select(n => "redis-" + n)).Order(StringComparer.Ordinal)];

    /// <summary>Per ingest node, the MQTT broker its cameras publish to, as the operator.</summary>
    public IReadOnlyDictionary<string, Bindings.Mqtt.MqttConnection> CameraBrokers => _plan.CameraBrokers;

    /// <summary>Per node hosting alarm (with camera ingest on), the MQTT broker its alarms are published to, as the operator.</summary>
    public IReadOnlyDictionary<string, Bindings.Mqtt.MqttConnection> AlarmBrokers => _plan.AlarmBrokers;

    /// <summary>Who may use the embedded MQTT servers; null with an external broker.</summary>
    public MqttAccessList? MqttAccess => _plan.MqttAccess;

    public Bindings.Mqtt.MqttConnection CameraBroker(string node, string camera) => _plan.CameraBroker(node, camera);

    public event EventHandler<CloudEvent>? DeadLettered;

    /// <summary>The dead-letter log the <c>dead-letters</c> process keeps.</summary>
    public string DeadLetterLogPath => Path.Combine(_options.WorkDirectory, EmulatedCluster.DeadLetterFileName);

    /// <summary>
    /// The broker's journal: <see cref="UpOptions.JournalDirectory"/>, else a folder of the work directory emptied at
    /// the start — a broker process killed and restarted still delivers what it accepted, and a new cluster does not
    /// replay an old one's events.
    /// </summary>
    public string JournalDirectory => _options.JournalDirectory ?? Path.Combine(_options.WorkDirectory, "journal");

    /// <summary>Where each process's output goes, one file per instance, emptied when a cluster starts.</summary>
    public string LogDirectory => Path.Combine(_options.WorkDirectory, "logs");

    /// <summary>The same endpoints file as the in-process runtime's: the broker, and per node its Redis and StateSink.</summary>
    public EndpointsFile Endpoints => new EndpointsFile(
        BrokerIngress,
        Topology.Nodes.ToDictionary(
            n => n.Name,
            n => new NodeEndpoints(_redis[n.Name].Endpoint, _redis[n.Name].Password, Url(new ServiceInstance(ServiceInstance.StateSink, n.Name).Name))
            {
                Mqtt = _plan.EmbeddedOrExternalUrl(n.Name),
            },
            StringComparer.Ordinal))
    {
        MqttPasswords = _plan.MqttPasswords,
        Tokens = _identity?.Tokens,
    };

    /// <exception cref="TopologyValidationException">The topology file is invalid.</exception>
    /// <exception cref="ResourceValidationException">The eventing YAML is invalid.</exception>
    /// <exception cref="RedisServerNotFoundException">redis-server is not installed.</exception>
    /// <exception cref="ArgumentException">The options ask for something only the in-process runtime runs; the message says what.</exception>
    public static async Task<ProcessCluster> StartAsync(UpOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (options.Mode == StateMode.Central)
        {
            throw new ArgumentException("--processes runs the modes skylark, databelt and ondemand; central (one Redis for every node) runs in-process only.");
        }

        if (options.ConfigureState is not null || options.ConfigurePredictor is not null)
        {
            throw new ArgumentException("--processes configures services only through their settings; hooks given in code run in-process only.");
        }

        var plan = ClusterPlan.Create(options, loggerFactory);
        if (plan.Instances.FirstOrDefault(i => !Assemblies.ContainsKey(i.Deployable)) is { } notDeployable)
        {
            throw new ArgumentException($"'{notDeployable.Deployable}' is not a deployable; --processes runs {string.Join(", ", Assemblies.Keys)}.");
        }

        // Whole seconds: the epoch is handed to every process as text.
        var now = TimeProvider.System.GetUtcNow();
        var epoch = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var clock = new TopologyClock(plan.Topology, TimeProvider.System, epoch, loggerFactory.CreateLogger<TopologyClock>());
        var links = new LinkEmulator(clock, loggerFactory: loggerFactory);
        var supervisor = new ProcessSupervisor(TimeProvider.System, loggerFactory.CreateLogger<ProcessSupervisor>());
        var cluster = new ProcessCluster(plan, options, clock, links, supervisor, loggerFactory.CreateLogger<ProcessCluster>());
        try
        {
            await cluster.StartAsync(loggerFactory, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The Predictor's own account (its <c>/status</c>); null when the mode runs none.</summary>
    public async Task<PredictorMetricsSnapshot?> PredictorMetricsAsync(CancellationToken cancellationToken)
    {
        if (!_processes.TryGetValue(ServiceInstance.Predictor, out var predictor))
        {
            return null;
        }

        return await _http.GetFromJsonAsync<PredictorMetricsSnapshot>(new Uri(predictor.Url, "status"), StatusJson, cancellationToken).ConfigureAwait(false);
    }

    public Task<long> DeadLettersReceivedAsync(CancellationToken cancellationToken) =>
        _deadLetters?.ReceivedAsync(cancellationToken) ?? Task.FromResult(0L);

    public async ValueTask DisposeAsync()
    {
        // Every step runs even when one before it failed: a process left running outlives this one.
        var failures = new List<Exception>();
        async Task StepAsync(Func<Task> step)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception error)
            {
                failures.Add(error);
            }
        }

        if (_deadLetters is { } feed)
        {
            await StepAsync(() => feed.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        // First nothing restarts, then the sources and the broker stop taking events before the services behind them go.
        await StepAsync(() => Supervisor.DisposeAsync().AsTask()).ConfigureAwait(false);
        await StepAsync(() => StopAsync(i => i.Deployable == ServiceInstance.CameraIngest)).ConfigureAwait(false);
        await StepAsync(() => StopAsync(i => i.Deployable == ServiceInstance.Broker)).ConfigureAwait(false);
        await StepAsync(() => StopAsync(_ => true)).ConfigureAwait(false);
        for (var i = _infrastructure.Count - 1; i >= 0; i--)
        {
            var part = _infrastructure[i];
            await StepAsync(() => part.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        foreach (var redis in _redis.Values)
        {
            await StepAsync(() => redis.DisposeAsync().AsTask()).ConfigureAwait(false);
        }

        await StepAsync(() => Links.DisposeAsync().AsTask()).ConfigureAwait(false);
        Clock.Dispose();
        _http.Dispose();
        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the cluster did not go cleanly; every process was still stopped.", failures);
        }
    }

    private async Task StartAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.WorkDirectory);
        if (_options.JournalDirectory is null && Directory.Exists(JournalDirectory))
        {
            Directory.Delete(JournalDirectory, recursive: true);
        }

        // This run's logs only; a restarted process appends to its own.
        if (Directory.Exists(LogDirectory))
        {
            Directory.Delete(LogDirectory, recursive: true);
        }

        if (_options.Auth)
        {
            // Stopped last (the infrastructure goes in reverse order): services read their tokens and the issuer's keys.
            _options.Progress?.Report("starting the identity issuer (a token per service)");
            _identity = await ClusterIdentity.StartAsync(_plan, _options.WorkDirectory, _options.LogLevel, cancellationToken).ConfigureAwait(false);
            _infrastructure.Add(_identity);
        }

        foreach (var node in _plan.StoreNodes)
        {
            _options.Progress?.Report($"starting redis-server for {node}");
            var redis = await RedisProcess.StartAsync(
                node,
                extraArguments: RedisPersistence.Arguments(_options.RedisFsync),
                users: ClusterRedisUsers.For(_plan, BundleKeys.DefaultPrefix),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            _redis[node] = redis;
            Supervisor.Watch($"redis-{node}", redis.WaitForExitAsync, () => redis.ExitDescription, redis.RestartAsync);
        }

        foreach (var (node, mqtt) in _plan.EmbeddedMqtt)
        {
            _options.Progress?.Report($"starting the MQTT server of {node} (port {mqtt.Port})");
            _infrastructure.Add(await LocalWebApp.StartAsync(
                $"mqtt-{node}", services => services.AddEmbeddedMqttServer(o =>
                {
                    o.Port = mqtt.Port;
                    o.Access = _plan.MqttAccess;
                }), _ => { }, minimumLogLevel: _options.LogLevel, cancellationToken: cancellationToken).ConfigureAwait(false));
        }

        // The control plane reaches each node's instances across the path to it; its own directly.
        var layer = ServingLayer.Create(
            _plan,
            instance => instance.IsControlPlane ? Url(instance.Name) : FromControl(instance.Node, Url(instance.Name)),
            loggerFactory);
        _options.Progress?.Report("starting the serving router");
        var serving = await LocalWebApp.StartAsync("serving", _ => { }, layer.Map, minimumLogLevel: _options.LogLevel, cancellationToken: cancellationToken).ConfigureAwait(false);
        _infrastructure.Add(layer);
        _infrastructure.Add(serving);
        var brokerServices = layer.BrokerServices(serving.Url);
        var eventingFile = Path.Combine(_options.WorkDirectory, "eventing.yaml");
        await KnativeYaml.WriteAsync(_plan.BrokerModel, eventingFile, cancellationToken).ConfigureAwait(false);

        foreach (var instance in _plan.Instances)
        {
            _options.Progress?.Report($"starting {instance.Name} ({instance.Deployable} on {instance.Node}) as its own process");
            var environment = await EnvironmentOfAsync(instance, eventingFile, brokerServices, cancellationToken).ConfigureAwait(false);
            var process = DeployableProcess.Start(instance.Name, Assemblies[instance.Deployable], environment, _ports[instance.Name], LogDirectory);
            _processes[instance.Name] = process;
            Supervisor.Watch(instance.Name, process.WaitForExitAsync, () => process.ExitDescription, _ => { process.Restart(); return Task.CompletedTask; });
        }

        _options.Progress?.Report($"waiting for the {_processes.Count} processes to be ready");
        await Task.WhenAll(_processes.Values.Select(p => p.WaitUntilReadyAsync(ReadyBound, cancellationToken))).ConfigureAwait(false);
        _deadLetters = await DeadLetterFeed.StartAsync(Url(ServiceInstance.DeadLetters), _logger, cancellationToken).ConfigureAwait(false);
        _deadLetters.Stored += (_, deadLetter) => DeadLettered?.Invoke(this, deadLetter);
        LogStarted(_processes.Count, _redis.Count, LogDirectory);
    }

    private async Task<Dictionary<string, string>> EnvironmentOfAsync(
        ServiceInstance instance, string eventingFile, IReadOnlyDictionary<string, Uri> brokerServices, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        AddTraceCollector(environment);
        switch (instance.Deployable)
        {
            case ServiceInstance.Broker:
                // Only the broker's spans read it: they say where the control plane runs.
                environment["SKYLARK_NODE"] = instance.Node;
                environment["SKYLARK_EVENTING"] = eventingFile;
                environment["SKYLARK_SERVICES"] = string.Join(",", brokerServices.Select(s => $"{s.Key}={s.Value}"));
                environment["SKYLARK_JOURNAL"] = JournalDirectory;
                if (_identity is not null)
                {
                    environment["SKYLARK_OIDC_ISSUER"] = _identity.Issuer.ToString();
                    environment["SKYLARK_TOKEN_ISSUER"] = _identity.Issuer.ToString();
                    environment["SKYLARK_TOKEN_FILE"] = _identity.TokenFileOf(ClusterIdentity.Broker);
                }

                if (_options.JournalRepair)
                {
                    environment["SKYLARK_JOURNAL_REPAIR"] = "true";
                }

                break;
            case ServiceInstance.DeadLetters:
                environment["SKYLARK_DEAD_LETTER_LOG"] = DeadLetterLogPath;
                break;
            case ServiceInstance.Predictor:
                AddStore(environment, _plan.StoreOf(instance.Node), withNode: false, ClusterRedisUsers.UserOf(instance));

                // Only the Predictor's spans read it; its store is the one named above, whatever node it runs on.
                environment["SKYLARK_NODE"] = instance.Node;
                AddTopology(environment);
                environment["SKYLARK_EVENTING"] = string.Join(",", [_options.EventingPath, .. _options.ExtraEventing]);
                environment["K_SINK"] = BrokerIngress.ToString();
                AddToken(environment, ClusterIdentity.Predictor);
                if (Mode == StateMode.Databelt)
                {
                    var slo = Path.Combine(_options.WorkDirectory, "databelt-slo.json");
                    await File.WriteAllTextAsync(
                        slo,
                        JsonSerializer.Serialize(new Dictionary<string, double>
                        {
                            ["max_latency"] = EmulatedCluster.DatabeltSlo.MaxLatencyMs,
                            ["min_bandwidth"] = EmulatedCluster.DatabeltSlo.MinBandwidthMbps,
                        }),
                        cancellationToken).ConfigureAwait(false);
                    environment["SKYLARK_POLICY"] = "databelt";
                    environment["SKYLARK_SLO"] = slo;
                }

                break;
            case ServiceInstance.StateSink:
                AddStore(environment, instance.Node, withNode: true, ClusterRedisUsers.UserOf(instance));
                AddTopology(environment);
                environment["SKYLARK_PEER_TOKEN"] = _peerToken;
                if (_identity is not null)
                {
                    // The sink applies the EventPolicies of the same resources the broker serves.
                    environment["SKYLARK_OIDC_ISSUER"] = _identity.Issuer.ToString();
                    environment["SKYLARK_EVENTING"] = eventingFile;
                }

                environment["SKYLARK_SINKS"] = string.Join(
                    ",",
                    Topology.Nodes.Where(n => n.Name != instance.Node).Select(n => $"{n.Name}={Links.UrlFor(instance.Node, n.Name, SinkUrl(n.Name), TrafficClass.State)}"));
                break;
            case ServiceInstance.CameraIngest:
                AddStore(environment, instance.Node, withNode: true, ClusterRedisUsers.UserOf(instance));
                AddMqtt(environment, _plan.IngestBroker(instance.Node));
                environment["K_SINK"] = ToControl(instance.Node, BrokerIngress).ToString();
                environment["SKYLARK_DEAD_LETTER_SINK"] = ToControl(instance.Node, Url(ServiceInstance.DeadLetters)).ToString();
                AddToken(environment, ClusterIdentity.CameraIngest);
                break;
            default:
                AddStore(environment, instance.Node, withNode: true, ClusterRedisUsers.UserOf(instance));
                environment["SKYLARK_NODE_SINK"] = SinkUrl(instance.Node).ToString();
                AddToken(environment, instance.Deployable);
                if (instance.Deployable == CameraPipelineFunctions.Alarm && _plan.AlarmBrokers.ContainsKey(instance.Node))
                {
                    AddMqtt(environment, _plan.AlarmPublisherBroker(instance.Node));
                }

                break;
        }

        return environment;
    }

    /// <summary>
    /// OpenTelemetry's own variables, so each service's standard OTLP exporter sends to up's receiver. The
    /// signal-specific endpoint is set too: an inherited <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> would otherwise win
    /// over the general one. The short batch delay lets a workflow's spans reach the dashboard while it is watched.
    /// </summary>
    private void AddTraceCollector(Dictionary<string, string> environment)
    {
        if (_options.TraceCollector is not { } collector)
        {
            return;
        }

        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.ToString();
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = new Uri(collector, Observability.OtlpTraceReceiver.Route.TrimStart('/')).ToString();
        environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf";
        environment["OTEL_BSP_SCHEDULE_DELAY"] = TraceBatchDelayMilliseconds;
    }

    // user: the ACL user the service connects as; null for the lab's own credential.
    private void AddStore(Dictionary<string, string> environment, string node, bool withNode, string? user)
    {
        if (withNode)
        {
            environment["SKYLARK_NODE"] = node;
        }

        environment["SKYLARK_REDIS"] = _redis[node].Endpoint;
        if (user is null)
        {
            environment["SKYLARK_REDIS_PASSWORD"] = _redis[node].Password;
        }
        else
        {
            environment["SKYLARK_REDIS_USER"] = user;
            environment["SKYLARK_REDIS_PASSWORD"] = _redis[node].Users[user].Password;
        }
    }

    /// <summary>The file holding <paramref name="identity"/>'s token, as a pod's projected service-account token; none with <c>--auth off</c>.</summary>
    private void AddToken(Dictionary<string, string> environment, string identity)
    {
        if (_identity is not null)
        {
            environment["SKYLARK_TOKEN_FILE"] = _identity.TokenFileOf(identity);
        }
    }

    /// <summary>The broker's URL names the user; the password goes in the environment, as Redis's does, never on the command line.</summary>
    private static void AddMqtt(Dictionary<string, string> environment, Bindings.Mqtt.MqttConnection broker)
    {
        environment["SKYLARK_MQTT"] = broker.Url.ToString();
        if (broker.Password is { } password)
        {
            environment["SKYLARK_MQTT_PASSWORD"] = password;
        }
    }

    private void AddTopology(Dictionary<string, string> environment)
    {
        environment["SKYLARK_TOPOLOGY"] = Path.GetFullPath(_options.TopologyPath);
        environment["SKYLARK_TOPOLOGY_EPOCH"] = Clock.Schedule.Epoch.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private Uri Url(string instance) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_ports[instance]}/"));

    private Uri SinkUrl(string node) => Url(new ServiceInstance(ServiceInstance.StateSink, node).Name);

    /// <summary><paramref name="target"/> on <paramref name="node"/> as the control node reaches it.</summary>
    private Uri FromControl(string node, Uri target) => ControlPath(ControlNode, node, target);

    /// <summary><paramref name="target"/> on the control node as <paramref name="node"/> reaches it.</summary>
    private Uri ToControl(string node, Uri target) => ControlPath(node, ControlNode, target);

    private Uri ControlPath(string fromNode, string toNode, Uri target) =>
        _options.InstantControlPlane || fromNode == toNode ? target : Links.UrlFor(fromNode, toNode, target, TrafficClass.Control);

    private async Task StopAsync(Func<ServiceInstance, bool> which)
    {
        var stopping = _plan.Instances.Where(which).Select(i => i.Name).Where(_processes.ContainsKey).ToList();
        try
        {
            await Task.WhenAll(stopping.Select(async name =>
            {
                await _processes[name].StopAsync(StopGrace).ConfigureAwait(false);
                await _processes[name].DisposeAsync().ConfigureAwait(false);
            })).ConfigureAwait(false);
        }
        finally
        {
            foreach (var name in stopping)
            {
                _processes.Remove(name);
            }
        }
    }

    /// <summary>
    /// SIGKILLs <paramref name="instance"/> — a service instance by its name, or <c>redis-&lt;node&gt;</c> — as a crash
    /// would, and waits until the supervisor has it running again and, for a service, ready.
    /// </summary>
    /// <returns>How long it took; null when it was not back within <paramref name="bound"/>.</returns>
    /// <exception cref="ArgumentException">No such instance; the message lists them.</exception>
    public async Task<TimeSpan?> KillAsync(string instance, TimeSpan bound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var restartsBefore = Supervisor.RestartsOf(instance);
        int? pid = instance.StartsWith("redis-", StringComparison.Ordinal) && _redis.TryGetValue(instance["redis-".Length..], out var redis)
            ? redis.ProcessId
            : _processes.TryGetValue(instance, out var service) ? service.ProcessId
            : throw new ArgumentException($"No process is called '{instance}'; there are {string.Join(", ", InstanceNames)}.", nameof(instance));
        var started = TimeProvider.System.GetTimestamp();
        if (pid is { } running)
        {
            using var victim = System.Diagnostics.Process.GetProcessById(running);
            victim.Kill();
        }

        while (TimeProvider.System.GetElapsedTime(started) < bound)
        {
            if (Supervisor.RestartsOf(instance) > restartsBefore && await IsServingAsync(instance, cancellationToken).ConfigureAwait(false))
            {
                return TimeProvider.System.GetElapsedTime(started);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<bool> IsServingAsync(string instance, CancellationToken cancellationToken)
    {
        if (!_processes.TryGetValue(instance, out var service))
        {
            return _redis[instance["redis-".Length..]].ProcessId is not null;
        }

        try
        {
            using var response = await _http.GetAsync(new Uri(service.Url, "readyz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Services} service processes and {Redis} redis-servers are ready; their logs are in {Logs}")]
    private partial void LogStarted(int services, int redis, string logs);
}
