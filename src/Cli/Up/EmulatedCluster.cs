using System.Security.Cryptography;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Broker.Resources;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Cli.Emulation;
using Skylark.Events.Cli.Hosting;
using Skylark.Events.Contracts;
using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Preprocess;
using Skylark.Events.Predictor;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Topology;

namespace Skylark.Events.Cli.Up;

/// <summary>
/// A whole multi-node topology on one machine: per node a password-protected redis-server and one service process
/// (its StateSink plus the functions the topology places there, sharing the node's Redis and in-flight pulls); link
/// proxies between nodes; the broker running eventing/ plus one propagate Trigger per node; Knative-Service-like
/// routing to function instances. Disposing stops everything it started.
/// </summary>
public sealed class EmulatedCluster : IAsyncDisposable
{
    /// <summary>Functions a node can host; the topology's <c>functions</c> lists pick from these.</summary>
    public static readonly IReadOnlyList<string> KnownFunctions = ["preprocess", "detect", "alarm"];

    private readonly List<IAsyncDisposable> started = [];
    private readonly Dictionary<string, Uri> nodeUrls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RedisProcess> redis = new(StringComparer.Ordinal);

    private EmulatedCluster(NetworkTopology topology, TopologyClock clock, LinkEmulator links, string peerToken)
    {
        Topology = topology;
        Clock = clock;
        Links = links;
        PeerToken = peerToken;
    }

    public NetworkTopology Topology { get; }

    public TopologyClock Clock { get; }

    public LinkEmulator Links { get; }

    public string PeerToken { get; }

    public Uri BrokerIngress { get; private set; } = null!;

    public DeadLetterLog DeadLetters { get; private set; } = null!;

    public IReadOnlyDictionary<string, Uri> NodeUrls => nodeUrls;

    public EndpointsFile Endpoints => new(
        BrokerIngress,
        Topology.Nodes.ToDictionary(
            n => n.Name,
            n => new NodeEndpoints(redis[n.Name].Endpoint, redis[n.Name].Password, nodeUrls[n.Name]),
            StringComparer.Ordinal));

    /// <exception cref="TopologyValidationException">The topology file is invalid.</exception>
    /// <exception cref="ResourceValidationException">The eventing YAML is invalid.</exception>
    /// <exception cref="RedisServerNotFoundException">redis-server is not installed.</exception>
    public static async Task<EmulatedCluster> StartAsync(UpOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var topology = TopologyLoader.Load(options.TopologyPath);
        var unknown = topology.Nodes.SelectMany(n => n.Functions).Distinct().Except(KnownFunctions).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Topology '{topology.Name}' places unknown function(s) {string.Join(", ", unknown)}; known: {string.Join(", ", KnownFunctions)}.");
        }

        var eventing = ResourceLoader.Load([options.EventingPath, .. options.ExtraEventing], loggerFactory.CreateLogger("Skylark.Events.Broker.Resources"));
        var model = eventing with { Triggers = [.. eventing.Triggers, .. NodeTriggers.For(topology)] };

        var clock = new TopologyClock(topology, TimeProvider.System, logger: loggerFactory.CreateLogger<TopologyClock>());
        var links = new LinkEmulator(clock, loggerFactory: loggerFactory);
        var cluster = new EmulatedCluster(topology, clock, links, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        try
        {
            await cluster.StartNodesAsync(cancellationToken);
            await cluster.StartControlPlaneAsync(model, options, loggerFactory, cancellationToken);
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

    private async Task StartNodesAsync(CancellationToken cancellationToken)
    {
        foreach (var node in Topology.Nodes)
        {
            var process = await RedisProcess.StartAsync(node.Name, cancellationToken: cancellationToken);
            redis[node.Name] = process;
            started.Add(process);
        }

        var directory = new EmulatedSinkDirectory(Links, nodeUrls);
        foreach (var node in Topology.Nodes)
        {
            var app = await LocalWebApp.StartAsync(
                $"node-{node.Name}",
                services => ConfigureNode(services, node, directory),
                endpoints => MapNode(endpoints, node),
                cancellationToken: cancellationToken);
            nodeUrls[node.Name] = app.Url;
            started.Add(app);
        }
    }

    private void ConfigureNode(IServiceCollection services, Node node, ISinkDirectory directory)
    {
        var store = redis[node.Name];
        services.AddSkylarkState(state =>
        {
            state.Configuration = store.Endpoint;
            state.Password = store.Password;
            state.Node = node.Name;
        });
        services.AddSingleton(directory);
        services.AddStateSink(sink =>
        {
            sink.PeerToken = PeerToken;
            sink.Topology = Topology;
            sink.TopologyEpoch = Clock.Schedule.Epoch;
        });
        foreach (var function in node.Functions)
        {
            _ = function switch
            {
                "preprocess" => services.AddPreprocessFunction(),
                "detect" => services.AddDetectFunction(),
                "alarm" => services.AddAlarmFunction(),
                _ => services,
            };
        }
    }

    private static void MapNode(WebApplication app, Node node)
    {
        app.MapStateSink();
        foreach (var function in node.Functions)
        {
            _ = function switch
            {
                "preprocess" => app.MapPreprocessFunction(FunctionPath(function)),
                "detect" => app.MapDetectFunction(FunctionPath(function)),
                "alarm" => app.MapAlarmFunction(FunctionPath(function)),
                _ => null,
            };
        }
    }

    private static string FunctionPath(string function) => $"/fn/{function}";

    private async Task StartControlPlaneAsync(EventingModel model, UpOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        DeadLetters = new DeadLetterLog(Path.Combine(options.WorkDirectory, "dead-letters.jsonl"), loggerFactory.CreateLogger<DeadLetterLog>());
        var router = new ServingRouter(
            Topology,
            nodeAndFunction =>
            {
                var slash = nodeAndFunction.IndexOf('/', StringComparison.Ordinal);
                return new Uri(nodeUrls[nodeAndFunction[..slash]], FunctionPath(nodeAndFunction[(slash + 1)..]));
            },
            () => Links.Paths[Clock.CurrentIndex],
            options.Serving,
            loggerFactory.CreateLogger<ServingRouter>());
        var fanout = new SinkFanout(() => nodeUrls, loggerFactory.CreateLogger<SinkFanout>());
        var serving = await LocalWebApp.StartAsync(
            "serving",
            _ => { },
            app =>
            {
                router.Map(app);
                fanout.Map(app, "/fanout/statesink");
                DeadLetters.Map(app, "/dead-letters");
            },
            cancellationToken: cancellationToken);
        started.Add(serving);
        started.Add(new DisposeAction(() => { router.Dispose(); fanout.Dispose(); }));

        var services = new Dictionary<string, Uri>(StringComparer.Ordinal)
        {
            ["statesink"] = new(serving.Url, "fanout/statesink"),
            ["dead-letters"] = new(serving.Url, "dead-letters"),
        };
        foreach (var function in KnownFunctions)
        {
            services[function] = new Uri(serving.Url, $"services/{function}");
        }

        foreach (var (node, url) in nodeUrls)
        {
            services[NodeTriggers.SinkServiceName(node)] = url;
        }

        // The predictor posts propagate commands to the broker, and the broker delivers completions to the predictor:
        // reserve the broker's port first so each can be told the other's address.
        var brokerPort = FreeLoopbackPort();
        BrokerIngress = new Uri($"http://127.0.0.1:{brokerPort}/{SkylarkDefaults.Namespace}/{SkylarkDefaults.Broker}");
        var predictorRedis = redis[(Topology.NodesOfType(NodeType.Cloud).FirstOrDefault() ?? Topology.Nodes[0]).Name];
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
            }),
            app => app.MapPredictor(),
            cancellationToken: cancellationToken);
        started.Add(predictor);
        services["predictor"] = predictor.Url;

        var sinks = new DestinationResolver(services);
        var broker = await LocalWebApp.StartAsync(
            "broker",
            collection =>
            {
                collection.AddBroker(broker =>
                {
                    broker.Model = model;
                    if (options.JournalDirectory is { } journal)
                    {
                        broker.Journal = new JournalOptions { Directory = journal };
                    }

                    foreach (var (name, url) in services)
                    {
                        broker.Services[name] = url;
                    }
                });
                collection.AddSingleton(model);
                collection.AddPingSources(sink => sinks.Resolve(sink, sink.Ref?.Namespace ?? SkylarkDefaults.Namespace));
            },
            app => app.MapBroker(),
            port: brokerPort,
            cancellationToken: cancellationToken);
        started.Add(broker);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
