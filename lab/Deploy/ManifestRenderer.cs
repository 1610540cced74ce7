using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Skylark.Events.CameraIngest;
using Skylark.Events.Contracts;
using Skylark.Events.DeadLetters;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;
using Skylark.Events.Lab.Mqtt;
using Skylark.Events.Lab.Up;
using Skylark.Events.Predictor;
using Skylark.Events.State;
using Skylark.Events.StateSink;
using Skylark.Events.Topology;
using YamlDotNet.RepresentationModel;
using static Skylark.Events.Lab.Deploy.Workloads;

namespace Skylark.Events.Lab.Deploy;

/// <summary>
/// Renders what a Kubernetes cluster with Knative Serving and Eventing runs for a topology (docs/cluster.md): the
/// namespace, the Broker and its Triggers, the PingSources and EventPolicies, a StateSink and a Redis pinned to each
/// node, the functions as Knative Services on their nodes (one per placement, or one per function with round-robin
/// serving), the Predictor, camera ingest and mosquitto where
/// cameras come in, the dead-letter store, service accounts and RBAC. Kubernetes kinds are written with the
/// KubernetesClient models, Knative kinds with <see cref="KnativeYaml"/>.
/// </summary>
/// <remarks>
/// Every per-node resource is a Deployment of one replica pinned with <c>kubernetes.io/hostname</c> and a Service of
/// its own, rather than a DaemonSet: a DaemonSet's pods share one template, so no Service could select the pod of one
/// node, and a node's propagate route, its peers and its functions need exactly that pod. It also leaves nodes the
/// topology does not name (the control plane) without a StateSink. Topology node names are therefore the Kubernetes
/// node names (as <c>kubernetes.io/hostname</c> has them on microk8s, k3s and kind).
/// </remarks>
public sealed partial class ManifestRenderer
{
    public const string Namespace = SkylarkDefaults.Namespace;

    public const string TopologyConfigMap = "skylark-topology";
    public const string PipelineConfigMap = "skylark-pipeline";
    public const string RedisAclConfigMap = "redis-acl";
    public const string MosquittoConfigMap = "mosquitto";
    public const string RedisSecret = "redis-users";
    public const string PeerSecret = "statesink-peer";
    public const string MqttSecret = "mqtt-users";

    /// <summary>Where the camera ingest, the Predictor and the dead letters reach the Broker: Knative's multi-tenant broker ingress.</summary>
    public static readonly Uri BrokerIngress = new($"http://broker-ingress.knative-eventing.svc.cluster.local/{Namespace}/{SkylarkDefaults.Broker}");

    private const string TopologyFile = "topology.yaml";
    private const string TopologyMount = "/etc/skylark/topology";
    private const string SecretsMount = "/var/run/secrets/skylark";
    private const int RedisPort = 6379;
    private const int MqttPort = 1883;

    private readonly DeployOptions _options;
    private readonly NetworkTopology _topology;
    private readonly string _topologyText;
    private readonly string _centralNode;
    private readonly List<string> _images = [];

    private ManifestRenderer(DeployOptions options, NetworkTopology topology, string topologyText)
    {
        _options = options;
        _topology = topology;
        _topologyText = topologyText;
        _centralNode = (topology.NodesOfType(NodeType.Cloud).FirstOrDefault() ?? topology.Nodes[0]).Name;
    }

    private StateMode Mode => _options.Mode;

    private bool HasSinks => Mode != StateMode.Central;

    private bool FromKubernetes => _options.TopologySource == DeployTopologySource.Kubernetes;

    private IEnumerable<string> StoreNodes => HasSinks ? _topology.Nodes.Select(n => n.Name) : [_centralNode];

    /// <summary>The nodes whose cameras publish to a camera ingest there: those running preprocess, the pipeline's first step.</summary>
    private IEnumerable<string> IngestNodes => _topology.NodesHosting(CameraPipelineFunctions.Ingest).Select(n => n.Name);

    private IEnumerable<string> AlarmNodes => _topology.NodesHosting(CameraPipelineFunctions.Alarm).Select(n => n.Name);

    /// <summary>The nodes with an MQTT broker: where cameras come in, and where alarms go out.</summary>
    private IEnumerable<string> MqttNodes => _topology.Nodes.Select(n => n.Name).Where(n => IngestNodes.Contains(n) || AlarmNodes.Contains(n));

    private IReadOnlyList<string> Functions => [.. _topology.Nodes.SelectMany(n => n.Functions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <exception cref="TopologyValidationException">The topology file is invalid.</exception>
    /// <exception cref="ResourceValidationException">The eventing YAML is invalid.</exception>
    /// <exception cref="ArgumentException">A node name cannot name Kubernetes resources, or the topology places a function that is not built here.</exception>
    public static RenderedManifests Render(DeployOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var topology = TopologyLoader.Load(options.TopologyPath);
        var unusable = topology.Nodes.Select(n => n.Name).Where(n => !DnsLabel().IsMatch(n) || $"statesink-sync-{n}".Length > 63).ToList();
        if (unusable.Count > 0)
        {
            throw new ArgumentException(
                $"Topology '{topology.Name}': node name(s) {string.Join(", ", unusable)} cannot name Kubernetes resources (lower-case letters, digits and '-', at most 48 characters); name the nodes as the cluster's nodes are named.");
        }

        var unbuilt = topology.Nodes.SelectMany(n => n.Functions).Distinct().Where(f => !DeployImages.Projects.ContainsKey(f) && !options.HostedFunctions.Contains(f)).ToList();
        if (unbuilt.Count > 0)
        {
            throw new ArgumentException($"Topology '{topology.Name}' places function(s) {string.Join(", ", unbuilt)}, which have no image; built here: {string.Join(", ", CameraPipelineFunctions.All.Select(f => f.Name))}.");
        }

        var pipeline = ResourceLoader.Load([options.EventingPath]);
        return new ManifestRenderer(options, topology, File.ReadAllText(options.TopologyPath)).Render(pipeline);
    }

    private RenderedManifests Render(EventingModel pipeline)
    {
        var eventing = ClusterEventing.For(pipeline, _topology, Mode, _options.Serving, _options.HostedFunctions);
        var files = new List<ManifestFile>
        {
            new("namespace.yaml", [Kube(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = Meta(Namespace, namespaced: false) })]),
            new("broker.yaml", [.. eventing.Brokers.Select(b => Knative(new EventingModel([b], [], []), "Broker", b.Meta.Name))]),
            new("triggers.yaml", [.. eventing.Triggers.Select(t => Knative(new EventingModel([], [t], []), "Trigger", t.Meta.Name))]),
        };
        if (eventing.PingSources.Count > 0)
        {
            files.Add(new("pingsources.yaml", [.. eventing.PingSources.Select(p => Knative(new EventingModel([], [], [p]), "PingSource", p.Meta.Name))]));
        }

        if (eventing.EventPolicies.Count > 0)
        {
            files.Add(new("policies.yaml", [.. eventing.EventPolicies.Select(p => Knative(EventingModel.Empty with { EventPolicies = [p] }, "EventPolicy", p.Meta.Name))]));
        }

        files.Add(new("config.yaml", [.. Config(pipeline)]));
        files.Add(new("rbac.yaml", [.. Rbac()]));
        files.Add(new("redis.yaml", [.. Redis()]));
        if (HasSinks)
        {
            files.Add(new("statesink.yaml", [.. StateSinks()]));
        }

        files.Add(new("functions.yaml", [.. FunctionServices()]));
        if (Mode.Propagates())
        {
            files.Add(new("predictor.yaml", [PredictorService()]));
        }

        if (MqttNodes.Any())
        {
            files.Add(new("mosquitto.yaml", [.. Mosquitto()]));
        }

        if (IngestNodes.Any())
        {
            files.Add(new("camera-ingest.yaml", [.. CameraIngest()]));
        }

        files.Add(new("dead-letters.yaml", [.. DeadLetterStore()]));

        var secrets = new List<GeneratedSecret> { new(RedisSecret, RedisUsers.Keys.ToList()) };
        if (HasSinks)
        {
            secrets.Add(new(PeerSecret, ["token"]));
        }

        if (MqttNodes.Any())
        {
            secrets.Add(new(MqttSecret, [.. MqttAccess().Users.Select(u => u.Name)]));
        }

        var declarations = FromKubernetes ? NodeDeclarations.For(_topology) : [];
        return new RenderedManifests(files, secrets, eventing)
        {
            Images = [.. _images.Distinct(StringComparer.Ordinal)],
            NodeDeclarations = declarations,
            NodeScript = FromKubernetes ? NodeDeclarations.Script(declarations, rotating: !_topology.IsStatic) : null,
        };
    }

    private string Image(string deployable)
    {
        var image = DeployImages.Projects.ContainsKey(deployable) || !_options.HostedFunctions.Contains(deployable)
            ? DeployImages.Of(deployable, _options.Registry, _options.Tag)
            : $"skylark-lab-{deployable}:{_options.Tag}";
        _images.Add(image);
        return image;
    }

    private string PublicImage(string image)
    {
        _images.Add(image);
        return image;
    }

    // ---- configuration ----

    private IEnumerable<RenderedResource> Config(EventingModel pipeline)
    {
        yield return Kube(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta(TopologyConfigMap, Labels()),
            Data = new Dictionary<string, string> { [TopologyFile] = _topologyText },
        });
        if (Mode.Propagates())
        {
            // The Predictor learns which function follows which from the pipeline's Triggers as written in eventing/,
            // not from the per-node routes, whose subscribers are instances rather than functions.
            yield return Kube(new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = Meta(PipelineConfigMap, Labels()),
                Data = new Dictionary<string, string> { ["triggers.yaml"] = KnativeYaml.Write(new EventingModel([], pipeline.Triggers, [])) },
            });
        }
    }

    // ---- RBAC ----

    /// <summary>The Kubernetes API requests of each service account that makes any: none with the topology from a file.</summary>
    private Dictionary<string, IReadOnlyList<KubernetesApiRequest>> ApiAccess()
    {
        var access = new Dictionary<string, IReadOnlyList<KubernetesApiRequest>>(StringComparer.Ordinal);
        if (!FromKubernetes)
        {
            return access;
        }

        if (HasSinks)
        {
            foreach (var node in _topology.Nodes)
            {
                access[SinkAccount(node.Name)] = KubernetesApiAccess.Of(new KubernetesTopologyOptions());
            }
        }

        if (Mode.Propagates())
        {
            access[ServiceInstance.Predictor] = KubernetesApiAccess.Of(new KubernetesTopologyOptions { ListSinkEndpoints = false });
        }

        return access;
    }

    /// <summary>A StateSink's service account, per node: the EventPolicies admit <c>statesink-*</c> as the sinks' identities.</summary>
    public static string SinkAccount(string node) => $"statesink-{node}";

    private IEnumerable<string> ServiceAccounts()
    {
        if (HasSinks)
        {
            foreach (var node in _topology.Nodes)
            {
                yield return SinkAccount(node.Name);
            }
        }

        foreach (var function in Functions)
        {
            yield return function;
        }

        if (Mode.Propagates())
        {
            yield return ServiceInstance.Predictor;
        }

        if (IngestNodes.Any())
        {
            yield return ServiceInstance.CameraIngest;
        }

        yield return ServiceInstance.DeadLetters;
        yield return "redis";
        if (MqttNodes.Any())
        {
            yield return "mosquitto";
        }
    }

    private IEnumerable<RenderedResource> Rbac()
    {
        var access = ApiAccess();
        foreach (var account in ServiceAccounts())
        {
            yield return Kube(new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = Meta(account, Labels()),

                // Only a service that reads the API gets the API token mounted (the pods leave it to their account);
                // identity tokens are projected explicitly.
                AutomountServiceAccountToken = access.ContainsKey(account),
            });
        }

        // One role per service (its own requests, nothing another service needs), cluster-wide and namespaced apart.
        foreach (var group in access.GroupBy(a => RoleOf(a.Key)))
        {
            var requests = group.First().Value;
            var subjects = group.Select(a => new Rbacv1Subject { Kind = "ServiceAccount", Name = a.Key, NamespaceProperty = Namespace }).ToList();
            var name = $"skylark-{group.Key}";
            if (Rules(requests.Where(r => !r.Namespaced)) is { Count: > 0 } clusterRules)
            {
                yield return Kube(new V1ClusterRole { ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "ClusterRole", Metadata = Meta(name, Labels(), namespaced: false), Rules = clusterRules });
                yield return Kube(new V1ClusterRoleBinding
                {
                    ApiVersion = "rbac.authorization.k8s.io/v1",
                    Kind = "ClusterRoleBinding",
                    Metadata = Meta(name, Labels(), namespaced: false),
                    RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = name },
                    Subjects = subjects,
                });
            }

            if (Rules(requests.Where(r => r.Namespaced)) is { Count: > 0 } namespacedRules)
            {
                yield return Kube(new V1Role { ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "Role", Metadata = Meta(name, Labels()), Rules = namespacedRules });
                yield return Kube(new V1RoleBinding
                {
                    ApiVersion = "rbac.authorization.k8s.io/v1",
                    Kind = "RoleBinding",
                    Metadata = Meta(name, Labels()),
                    RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = name },
                    Subjects = subjects,
                });
            }
        }
    }

    private static string RoleOf(string account) => account.StartsWith("statesink-", StringComparison.Ordinal) ? ServiceInstance.StateSink : account;

    private static List<V1PolicyRule> Rules(IEnumerable<KubernetesApiRequest> requests) =>
        [.. requests
            .GroupBy(r => (r.ApiGroup, r.Resource))
            .OrderBy(g => g.Key.ApiGroup, StringComparer.Ordinal).ThenBy(g => g.Key.Resource, StringComparer.Ordinal)
            .Select(g => new V1PolicyRule
            {
                ApiGroups = [g.Key.ApiGroup],
                Resources = [g.Key.Resource],
                Verbs = [.. g.Select(r => r.Verb).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            })];

    // ---- Redis ----

    /// <summary>
    /// The ACL users of every node's Redis, by name, with their rules (docs/security.md, "Redis"): one per function
    /// placed anywhere (a function finds its user on every node), and the StateSink's, the camera ingest's and the
    /// Predictor's where they run.
    /// </summary>
    private SortedDictionary<string, string> RedisUsers
    {
        get
        {
            var users = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var function in Functions)
            {
                users[function] = RedisAclRules.ForFunction(function);
            }

            if (HasSinks)
            {
                users[ClusterRedisUsers.StateSink] = RedisAclRules.ForStateSink();
            }

            if (IngestNodes.Any())
            {
                users[ClusterRedisUsers.CameraIngest] = RedisAclRules.ForFunction(CameraIngestOptions.Function);
            }

            if (Mode.Propagates())
            {
                users[ClusterRedisUsers.Predictor] = RedisAclRules.ForPredictor(new PredictorOptions().ModelKey);
            }

            return users;
        }
    }

    private static string RedisService(string node) => $"redis-{node}";

    /// <summary>The Redis holding <paramref name="node"/>'s state: its own, or the cloud's in the central mode.</summary>
    private string StoreOf(string node) => HasSinks ? node : _centralNode;

    private static string Url(string service, int port) => $"{service}.{Namespace}.svc.cluster.local:{port}";

    private IEnumerable<RenderedResource> Redis()
    {
        yield return Kube(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta(RedisAclConfigMap, Labels()),
            Data = new Dictionary<string, string>(RedisUsers),
        });

        foreach (var node in StoreNodes)
        {
            var labels = Labels(("app", "redis"), ("skylark.io/node", node));

            // The ACL file needs the passwords, which only the Secret holds: an init container joins each user's
            // rules (the ConfigMap) with its password into a file in memory that never leaves the pod.
            var init = new V1Container
            {
                Name = "acl",
                Image = PublicImage(DeployImages.Redis),
                Command = ["sh", "-c"],
                Args =
                [
                    "set -eu; umask 077; { echo 'user default off'; for rules in /rules/*; do user=$(basename \"$rules\"); "
                    + "echo \"user $user on >$(cat /passwords/$user) $(cat \"$rules\")\"; done; } > /acl/users.acl",
                ],
                VolumeMounts = [Mount("rules", "/rules"), Mount("passwords", "/passwords"), Mount("acl", "/acl", readOnly: false)],
                SecurityContext = Restricted(RedisUser),
                Resources = Resources("10m", "16Mi", "100m", "32Mi"),
            };
            var redis = new V1Container
            {
                Name = "redis",
                Image = PublicImage(DeployImages.Redis),
                Args = ["redis-server", "--aclfile", "/acl/users.acl", "--dir", "/data", "--protected-mode", "no", "--save", "", "--appendonly", "no"],
                Ports = [new V1ContainerPort { ContainerPort = RedisPort, Name = "redis" }],
                VolumeMounts = [Mount("acl", "/acl"), Mount("data", "/data", readOnly: false)],
                SecurityContext = Restricted(RedisUser),
                Resources = Resources("100m", "128Mi", "1", "1Gi"),

                // redis-cli would need a password; an open port is what the services' own readiness checks go further from.
                LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = (IntOrString)"redis" }, PeriodSeconds = 10 },
                ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = (IntOrString)"redis" }, PeriodSeconds = 5 },
            };
            yield return Kube(PinnedDeployment(RedisService(node), labels, node, "redis", new V1PodSpec
            {
                InitContainers = [init],
                Containers = [redis],
                Volumes =
                [
                    ConfigMap("rules", RedisAclConfigMap),
                    Secret("passwords", RedisSecret),
                    EmptyDir("acl", memory: true),
                    EmptyDir("data"),
                ],
            }, metrics: false));
            yield return Kube(ClusterService(RedisService(node), labels, new V1ServicePort { Name = "redis", Port = RedisPort, TargetPort = (IntOrString)"redis" }));
        }
    }

    /// <summary>The <c>redis</c> user of the official image.</summary>
    private const long RedisUser = 999;

    // ---- StateSinks ----

    /// <summary>A node's StateSink; text, since a <c>$(VAR)</c> node is no URI host until Kubernetes expands it.</summary>
    private static string SinkUrl(string node) => $"http://{ClusterEventing.SinkService(node)}.{Namespace}.svc.cluster.local/";

    private IEnumerable<RenderedResource> StateSinks()
    {
        foreach (var node in _topology.Nodes.Select(n => n.Name))
        {
            // app=statesink is the selector the sinks find their peers by (--sink-selector's default).
            var labels = Labels(("app", ServiceInstance.StateSink), ("skylark.io/component", ServiceInstance.StateSink), ("skylark.io/node", node));
            var env = new List<V1EnvVar>
            {
                Env(CommonSettings.Node, node),
                Env(CommonSettings.Port, $"{HttpPort}"),
                Env(StateSinkSettings.PeerTokenFile, $"{SecretsMount}/peer/token"),
            };
            var volumes = new List<V1Volume> { Secret("peer", PeerSecret) };
            var mounts = new List<V1VolumeMount> { Mount("peer", $"{SecretsMount}/peer") };
            AddRedis(env, volumes, mounts, node, ClusterRedisUsers.StateSink);
            if (FromKubernetes)
            {
                env.Add(Env(CommonSettings.TopologySource, "kubernetes"));
            }
            else
            {
                AddTopologyFile(env, volumes, mounts);
                env.Add(Env(StateSinkSettings.SinksSetting, string.Join(",", _topology.Nodes.Where(n => n.Name != node).Select(n => $"{n.Name}={SinkUrl(n.Name)}"))));
            }

            var container = DotnetContainer(ServiceInstance.StateSink, env, mounts, Resources("100m", "128Mi", "1", "512Mi"));
            yield return Kube(PinnedDeployment(ClusterEventing.SinkService(node), labels, node, SinkAccount(node), new V1PodSpec
            {
                Containers = [container],
                Volumes = [.. volumes, EmptyDir(TmpVolume)],
            }));
            yield return Kube(ClusterService(ClusterEventing.SinkService(node), labels, new V1ServicePort { Name = "http", Port = 80, TargetPort = (IntOrString)"http" }));
        }
    }

    // ---- functions ----

    private IEnumerable<RenderedResource> FunctionServices() =>
        _options.Serving == ServingPolicy.RoundRobin ? RoundRobinFunctionServices() : LocalityAwareFunctionServices();

    /// <summary>One Knative Service per placement, <c>&lt;function&gt;-&lt;node&gt;</c>, pinned to its node: the locality routes pick the instance.</summary>
    private IEnumerable<RenderedResource> LocalityAwareFunctionServices()
    {
        foreach (var node in _topology.Nodes)
        {
            foreach (var function in node.Functions)
            {
                var env = new List<V1EnvVar> { Env(CommonSettings.Node, node.Name) };
                var (container, volumes) = FunctionContainer(function, env, node.Name, SkylarkAudiences.StateSink(node.Name));
                var labels = Labels(("app", function), ("skylark.io/function", function), ("skylark.io/node", node.Name));
                yield return KnativeService(LocalityRoutes.ServiceName(function, node.Name), labels, new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    // Kept warm: a cold start costs more than the state locality the placement buys.
                    ["autoscaling.knative.dev/min-scale"] = "1",
                }, new V1PodSpec
                {
                    ServiceAccountName = function,
                    NodeSelector = OnNode(node.Name),
                    Containers = [container],
                    Volumes = [.. volumes, EmptyDir(TmpVolume)],
                });
            }
        }
    }

    /// <summary>
    /// One Knative Service per function, named like it, with exactly one pod on each node hosting it: Knative spreads
    /// the requests over the pods, whatever node holds an event's state.
    /// </summary>
    private IEnumerable<RenderedResource> RoundRobinFunctionServices()
    {
        foreach (var function in Functions)
        {
            var hosts = _topology.NodesHosting(function).Select(n => n.Name).ToList();

            // One template for every node, so the pod learns its node when scheduled; Kubernetes expands $(VAR) only
            // from variables declared before, so the node comes first.
            var env = new List<V1EnvVar> { NodeFromDownwardApi() };

            // The token cannot name the pod's own node's StateSink, so it names the audience every StateSink also
            // accepts. The policy statesink-commands admits the functions by their service accounts' subjects, which
            // the audience does not change.
            var (container, volumes) = FunctionContainer(function, env, $"$({CommonSettings.Node.Environment})", SkylarkAudiences.StateSinks);
            var labels = Labels(("app", function), ("skylark.io/function", function));
            var scale = hosts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return KnativeService(function, labels, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                // Kept warm, and never more pods than nodes: the spread below then leaves exactly one on each.
                ["autoscaling.knative.dev/min-scale"] = scale,
                ["autoscaling.knative.dev/max-scale"] = scale,
            }, new V1PodSpec
            {
                ServiceAccountName = function,
                Affinity = new V1Affinity
                {
                    NodeAffinity = new V1NodeAffinity
                    {
                        RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                        {
                            NodeSelectorTerms =
                            [
                                new V1NodeSelectorTerm
                                {
                                    MatchExpressions = [new V1NodeSelectorRequirement { Key = HostnameLabel, OperatorProperty = "In", Values = hosts }],
                                },
                            ],
                        },
                    },
                },
                TopologySpreadConstraints =
                [
                    new V1TopologySpreadConstraint
                    {
                        MaxSkew = 1,
                        TopologyKey = HostnameLabel,
                        WhenUnsatisfiable = "DoNotSchedule",
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["skylark.io/function"] = function } },
                    },
                ],
                Containers = [container],
                Volumes = [.. volumes, EmptyDir(TmpVolume)],
            });
        }
    }

    /// <summary>
    /// A function's container on <paramref name="node"/> (a node name, or a <c>$(VAR)</c> reference to the variable
    /// holding it), after the variables already in <paramref name="env"/>, and the volumes it mounts.
    /// </summary>
    private (V1Container Container, List<V1Volume> Volumes) FunctionContainer(string function, List<V1EnvVar> env, string node, string sinkAudience)
    {
        var volumes = new List<V1Volume>();
        var mounts = new List<V1VolumeMount>();
        AddRedis(env, volumes, mounts, StoreOf(node), function);
        if (HasSinks)
        {
            // It asks its own node's StateSink to pull an input that is elsewhere, with a token for that sink.
            env.Add(Env(StateSettings.NodeSink, SinkUrl(node)));
            AddIdentity(env, volumes, mounts, sinkAudience);
        }

        if (function == CameraPipelineFunctions.Alarm)
        {
            AddMqtt(env, volumes, mounts, node, MqttAccessList.AlarmUser);
        }

        var resources = function == CameraPipelineFunctions.Alarm
            ? Resources("50m", "64Mi", "500m", "256Mi")
            : Resources("250m", "256Mi", "2", "1Gi");
        return (DotnetContainer(function, env, mounts, resources, knative: true), volumes);
    }

    /// <summary><c>SKYLARK_NODE</c> as the node the pod was scheduled on (the downward API's <c>spec.nodeName</c>).</summary>
    private static V1EnvVar NodeFromDownwardApi() =>
        new() { Name = CommonSettings.Node.Environment, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } };

    private RenderedResource PredictorService()
    {
        var env = new List<V1EnvVar>
        {
            // Wherever it is scheduled; only its spans read it (skylark.node), so a trace shows where the decisions ran.
            NodeFromDownwardApi(),
            Env(CommonSettings.Eventing, "/etc/skylark/pipeline/triggers.yaml"),
            Env(CommonSettings.Sink, BrokerIngress.ToString()),
        };
        var volumes = new List<V1Volume> { ConfigMap("pipeline", PipelineConfigMap) };
        var mounts = new List<V1VolumeMount> { Mount("pipeline", "/etc/skylark/pipeline") };
        AddRedis(env, volumes, mounts, _centralNode, ClusterRedisUsers.Predictor);
        if (FromKubernetes)
        {
            env.Add(Env(CommonSettings.TopologySource, "kubernetes"));
        }
        else
        {
            AddTopologyFile(env, volumes, mounts);
        }

        if (Mode == StateMode.Databelt)
        {
            env.Add(Env(PredictorSettings.Policy, "databelt"));
        }

        AddIdentity(env, volumes, mounts, SkylarkAudiences.DefaultBroker);
        var container = DotnetContainer(ServiceInstance.Predictor, env, mounts, Resources("100m", "256Mi", "1", "1Gi"), knative: true);
        return KnativeService(ServiceInstance.Predictor, Labels(("app", ServiceInstance.Predictor)), new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // One learner: two replicas would each learn half of the completions.
            ["autoscaling.knative.dev/min-scale"] = "1",
            ["autoscaling.knative.dev/max-scale"] = "1",
        }, new V1PodSpec
        {
            ServiceAccountName = ServiceInstance.Predictor,
            Containers = [container],
            Volumes = [.. volumes, EmptyDir(TmpVolume)],
        });
    }

    // ---- MQTT and cameras ----

    private MqttAccessList MqttAccess()
    {
        // The passwords it generates are dropped: the cluster's come from the Secret.
        var access = MqttAccessList.WithServices();
        foreach (var camera in _options.Cameras)
        {
            access.Camera(camera);
        }

        return access;
    }

    private static string MosquittoService(string node) => $"mosquitto-{node}";

    private IEnumerable<RenderedResource> Mosquitto()
    {
        yield return Kube(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta(MosquittoConfigMap, Labels()),
            Data = new Dictionary<string, string>
            {
                ["mosquitto.conf"] = $"listener {MqttPort}\nallow_anonymous false\npassword_file /mosquitto/passwd/passwd\nacl_file /mosquitto/config/skylark.acl\npersistence false\nlog_dest stdout\n",
                ["skylark.acl"] = MosquittoFiles.AclFile(MqttAccess()),
            },
        });

        foreach (var node in MqttNodes)
        {
            var labels = Labels(("app", "mosquitto"), ("skylark.io/node", node));

            // mosquitto reads hashed passwords; mosquitto_passwd hashes the Secret's plain ones into memory at start.
            var init = new V1Container
            {
                Name = "passwd",
                Image = PublicImage(DeployImages.Mosquitto),
                Command = ["sh", "-c"],
                Args = ["set -eu; umask 077; : > /passwd/passwd; for user in /users/*; do mosquitto_passwd -b /passwd/passwd \"$(basename \"$user\")\" \"$(cat \"$user\")\"; done"],
                VolumeMounts = [Mount("users", "/users"), Mount("passwd", "/passwd", readOnly: false)],
                SecurityContext = Restricted(MosquittoUser),
                Resources = Resources("10m", "16Mi", "100m", "32Mi"),
            };
            var mosquitto = new V1Container
            {
                Name = "mosquitto",
                Image = PublicImage(DeployImages.Mosquitto),
                Args = ["mosquitto", "-c", "/mosquitto/config/mosquitto.conf"],
                Ports = [new V1ContainerPort { ContainerPort = MqttPort, Name = "mqtt" }],
                VolumeMounts = [Mount("config", "/mosquitto/config"), Mount("passwd", "/mosquitto/passwd")],
                SecurityContext = Restricted(MosquittoUser),
                Resources = Resources("50m", "32Mi", "500m", "128Mi"),
                LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = (IntOrString)"mqtt" }, PeriodSeconds = 10 },
                ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = (IntOrString)"mqtt" }, PeriodSeconds = 5 },
            };
            yield return Kube(PinnedDeployment(MosquittoService(node), labels, node, "mosquitto", new V1PodSpec
            {
                InitContainers = [init],
                Containers = [mosquitto],
                Volumes = [ConfigMap("config", MosquittoConfigMap), Secret("users", MqttSecret), EmptyDir("passwd", memory: true)],
            }, metrics: false));
            yield return Kube(ClusterService(MosquittoService(node), labels, new V1ServicePort { Name = "mqtt", Port = MqttPort, TargetPort = (IntOrString)"mqtt" }));
        }
    }

    /// <summary>The <c>mosquitto</c> user of the official image.</summary>
    private const long MosquittoUser = 1883;

    private IEnumerable<RenderedResource> CameraIngest()
    {
        foreach (var node in IngestNodes)
        {
            var env = new List<V1EnvVar>
            {
                Env(CommonSettings.Node, node),
                Env(CommonSettings.Port, $"{HttpPort}"),
                Env(CommonSettings.Sink, BrokerIngress.ToString()),
                Env(CameraIngestSettings.DeadLetterSinkSetting, $"http://{ClusterEventing.DeadLetters}.{Namespace}.svc.cluster.local/"),
            };
            var volumes = new List<V1Volume>();
            var mounts = new List<V1VolumeMount>();
            AddRedis(env, volumes, mounts, StoreOf(node), ClusterRedisUsers.CameraIngest);
            AddMqtt(env, volumes, mounts, node, MqttAccessList.IngestUser);
            AddIdentity(env, volumes, mounts, SkylarkAudiences.DefaultBroker);
            var container = DotnetContainer(ServiceInstance.CameraIngest, env, mounts, Resources("100m", "128Mi", "1", "512Mi"));
            yield return Kube(PinnedDeployment(
                $"{ServiceInstance.CameraIngest}-{node}",
                Labels(("app", ServiceInstance.CameraIngest), ("skylark.io/node", node)),
                node,
                ServiceInstance.CameraIngest,
                new V1PodSpec { Containers = [container], Volumes = [.. volumes, EmptyDir(TmpVolume)] }));
        }
    }

    // ---- dead letters ----

    private IEnumerable<RenderedResource> DeadLetterStore()
    {
        const string name = ClusterEventing.DeadLetters;
        var labels = Labels(("app", name));
        yield return Kube(new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = Meta(name, labels),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        });
        var env = new List<V1EnvVar>
        {
            Env(CommonSettings.Port, $"{HttpPort}"),
            Env(DeadLetterSettings.LogSetting, "/var/lib/skylark/dead-letters/dead-letters.jsonl"),
        };
        var container = DotnetContainer(name, env, [Mount("log", "/var/lib/skylark/dead-letters", readOnly: false)], Resources("50m", "64Mi", "500m", "256Mi"));
        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(name, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,

                // One writer of the log: the old pod lets go of the volume before the new one mounts it.
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Selector = new V1LabelSelector { MatchLabels = Labels(("app", name)) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels, Annotations = ScrapeAnnotations() },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = name,

                        // The volume's files belong to the service's group, whatever the volume's own owner.
                        SecurityContext = new V1PodSecurityContext { FsGroup = DotnetUser },
                        Containers = [container],
                        Volumes =
                        [
                            new V1Volume { Name = "log", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = name } },
                            EmptyDir(TmpVolume),
                        ],
                    },
                },
            },
        };
        yield return Kube(deployment);
        yield return Kube(ClusterService(name, labels, new V1ServicePort { Name = "http", Port = 80, TargetPort = (IntOrString)"http" }));
    }

    // ---- shared pieces ----

    private void AddRedis(List<V1EnvVar> env, List<V1Volume> volumes, List<V1VolumeMount> mounts, string store, string user)
    {
        env.Add(Env(CommonSettings.Redis, Url(RedisService(store), RedisPort)));
        env.Add(Env(CommonSettings.RedisUser, user));
        env.Add(Env(CommonSettings.RedisPasswordFile, $"{SecretsMount}/redis/password"));
        volumes.Add(SecretKey("redis", RedisSecret, user));
        mounts.Add(Mount("redis", $"{SecretsMount}/redis"));
    }

    private static void AddMqtt(List<V1EnvVar> env, List<V1Volume> volumes, List<V1VolumeMount> mounts, string node, string user)
    {
        env.Add(Env(CommonSettings.Mqtt, $"mqtt://{user}@{Url(MosquittoService(node), MqttPort)}"));
        env.Add(Env(CommonSettings.MqttPasswordFile, $"{SecretsMount}/mqtt/password"));
        volumes.Add(SecretKey("mqtt", MqttSecret, user));
        mounts.Add(Mount("mqtt", $"{SecretsMount}/mqtt"));
    }

    private static void AddIdentity(List<V1EnvVar> env, List<V1Volume> volumes, List<V1VolumeMount> mounts, string audience)
    {
        env.Add(Env(SenderIdentitySettings.TokenFile, $"{SecretsMount}/identity/token"));
        volumes.Add(IdentityToken("identity", audience));
        mounts.Add(Mount("identity", $"{SecretsMount}/identity"));
    }

    private void AddTopologyFile(List<V1EnvVar> env, List<V1Volume> volumes, List<V1VolumeMount> mounts)
    {
        env.Add(Env(CommonSettings.Topology, $"{TopologyMount}/{TopologyFile}"));
        if (_options.TopologyEpoch is { } epoch)
        {
            env.Add(Env(CommonSettings.TopologyEpoch, epoch.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)));
        }

        volumes.Add(ConfigMap("topology", TopologyConfigMap));
        mounts.Add(Mount("topology", TopologyMount));
    }

    /// <summary>A container of an image built here, serving HTTP on <see cref="Workloads.HttpPort"/>.</summary>
    private V1Container DotnetContainer(string deployable, List<V1EnvVar> env, List<V1VolumeMount> mounts, V1ResourceRequirements resources, bool knative = false)
    {
        var container = new V1Container
        {
            Name = deployable,
            Image = Image(deployable),

            // Knative Serving sets PORT itself and accepts only the port names http1 and h2c.
            Ports = [new V1ContainerPort { ContainerPort = HttpPort, Name = knative ? "http1" : "http" }],
            Env = env,
            VolumeMounts = [.. mounts, Mount(TmpVolume, "/tmp", readOnly: false)],
            Resources = resources,
            SecurityContext = Restricted(DotnetUser),
        };
        Probe(container, withPort: !knative);
        return container;
    }

    /// <summary>
    /// One replica of <paramref name="pod"/> on <paramref name="node"/> as <paramref name="account"/>, scraped when
    /// <paramref name="metrics"/> (Skylark's services serve <c>/metrics</c>; Redis and mosquitto do not).
    /// </summary>
    /// <remarks>Of <paramref name="labels"/>, <c>app</c> and <c>skylark.io/node</c> select the pod.</remarks>
    private static V1Deployment PinnedDeployment(string name, Dictionary<string, string> labels, string node, string account, V1PodSpec pod, bool metrics = true)
    {
        pod.NodeSelector = OnNode(node);
        pod.ServiceAccountName = account;
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(name, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,

                // A surge pod would be a second instance on the same node: a second Redis with none of the state, or
                // a second StateSink peers would have to choose between.
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Selector = new V1LabelSelector { MatchLabels = labels.Where(l => l.Key is "app" or "skylark.io/node").ToDictionary(l => l.Key, l => l.Value) },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels, Annotations = metrics ? ScrapeAnnotations() : null }, Spec = pod },
            },
        };
    }

    private static V1Service ClusterService(string name, Dictionary<string, string> labels, V1ServicePort port) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta(name, labels),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = labels.Where(l => l.Key is "app" or "skylark.io/node").ToDictionary(l => l.Key, l => l.Value),
            Ports = [port],
        },
    };

    /// <summary>
    /// A Knative Service (serving.knative.dev/v1): the pod spec is written by the KubernetesClient models like every
    /// other pod here, then placed under <c>spec.template</c>. Cluster-local: nothing outside the cluster calls a function.
    /// </summary>
    private static RenderedResource KnativeService(string name, Dictionary<string, string> labels, Dictionary<string, string> annotations, V1PodSpec pod)
    {
        var podNode = new YamlStream();
        podNode.Load(new StringReader(KubernetesYaml.Serialize(pod)));
        var templateAnnotations = new Dictionary<string, string>(ScrapeAnnotations(), StringComparer.Ordinal);
        foreach (var (key, value) in annotations)
        {
            templateAnnotations[key] = value;
        }

        var serviceLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal) { ["networking.knative.dev/visibility"] = "cluster-local" };
        var root = new YamlMappingNode
        {
            { "apiVersion", "serving.knative.dev/v1" },
            { "kind", "Service" },
            {
                "metadata", new YamlMappingNode
                {
                    { "name", KnativeYaml.Scalar(name) },
                    { "namespace", KnativeYaml.Scalar(Namespace) },
                    { "labels", Map(serviceLabels) },
                }
            },
            {
                "spec", new YamlMappingNode
                {
                    {
                        "template", new YamlMappingNode
                        {
                            { "metadata", new YamlMappingNode { { "labels", Map(labels) }, { "annotations", Map(templateAnnotations) } } },
                            { "spec", podNode.Documents[0].RootNode },
                        }
                    },
                }
            },
        };
        return new RenderedResource("serving.knative.dev/v1", "Service", name, Namespace, KnativeYaml.Write([root]));
    }

    private static YamlMappingNode Map(IReadOnlyDictionary<string, string> entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            map.Add(KnativeYaml.Scalar(key), KnativeYaml.Scalar(value));
        }

        return map;
    }

    private static RenderedResource Kube(IKubernetesObject<V1ObjectMeta> resource) =>
        new(resource.ApiVersion, resource.Kind, resource.Metadata.Name, resource.Metadata.NamespaceProperty, KubernetesYaml.Serialize(resource));

    private static RenderedResource Knative(EventingModel single, string kind, string name)
    {
        var yaml = KnativeYaml.Write(single);
        var apiVersion = kind switch
        {
            "PingSource" => "sources.knative.dev/v1",
            "EventPolicy" => "eventing.knative.dev/v1alpha1",
            _ => "eventing.knative.dev/v1",
        };
        return new RenderedResource(apiVersion, kind, name, Namespace, yaml);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
