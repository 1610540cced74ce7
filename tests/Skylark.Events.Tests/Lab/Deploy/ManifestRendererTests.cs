using CloudNative.CloudEvents;
using k8s;
using k8s.Models;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Hosting;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Up;
using Skylark.Events.State;
using Skylark.Events.Tests.Eventing.Resources;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Tests.Lab.Deploy;

/// <summary>
/// <c>skylark deploy render</c> for the shipped topologies in every mode: what a cluster would accept (Knative kinds
/// against the official CRDs, Kubernetes kinds against the KubernetesClient models with unknown fields as errors), and
/// what makes it work there (every reference resolves, one propagate route per node, one function instance per
/// event's state node or, round-robin, one Service per function with a pod on each of its nodes, the RBAC the code's
/// API calls need and no more, secrets only as generated references).
/// </summary>
public sealed class ManifestRendererTests
{
    private static readonly string[] Topologies = ["three-nodes.yaml", "databelt-testbed.yaml"];

    public static TheoryData<string, StateMode> Cases()
    {
        var cases = new TheoryData<string, StateMode>();
        foreach (var topology in Topologies)
        {
            foreach (var mode in Enum.GetValues<StateMode>())
            {
                cases.Add(topology, mode);
            }
        }

        return cases;
    }

    /// <summary><see cref="Cases"/> with each serving policy.</summary>
    public static TheoryData<string, StateMode, ServingPolicy> ServingCases()
    {
        var cases = new TheoryData<string, StateMode, ServingPolicy>();
        foreach (var (topology, mode) in Cases().Select(c => ((string)c[0], (StateMode)c[1])))
        {
            foreach (var serving in Enum.GetValues<ServingPolicy>())
            {
                cases.Add(topology, mode, serving);
            }
        }

        return cases;
    }

    internal static RenderedManifests Render(
        string topology, StateMode mode, DeployTopologySource source = DeployTopologySource.File, ServingPolicy serving = ServingPolicy.LocalityAware) =>
        ManifestRenderer.Render(new DeployOptions(RepositoryPaths.InRoot("topologies", topology))
        {
            EventingPath = RepositoryPaths.InRoot("eventing"),
            Mode = mode,
            Serving = serving,
            TopologySource = source,
            Cameras = ["cam-1"],
            Registry = "registry.example:5000/skylark",
            Tag = "test",
        });

    private static bool IsKnative(RenderedResource resource) => resource.ApiVersion.Contains("knative.dev/", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(ServingCases))]
    public void Knative_kinds_conform_to_the_official_CRDs(string topology, StateMode mode, ServingPolicy serving)
    {
        var knative = Render(topology, mode, serving: serving).Resources.Where(IsKnative).ToList();
        Assert.Contains(knative, r => r.Kind == "Broker");
        Assert.Contains(knative, r => r.Kind == "Service");
        foreach (var resource in knative)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(resource.Yaml));
            var document = Assert.Single(stream.Documents);
            KnativeCrdSchemas.AssertConforms(Assert.IsType<YamlMappingNode>(document.RootNode), $"{topology} {mode} {serving.Name()} {resource.Kind}/{resource.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(ServingCases))]
    public void Kubernetes_kinds_read_back_strictly_into_the_client_models_and_write_the_same_text(string topology, StateMode mode, ServingPolicy serving)
    {
        foreach (var resource in Render(topology, mode, serving: serving).Resources.Where(r => !IsKnative(r)))
        {
            // Strict: a field the models do not know (a typo, a field of another kind) is an error, not dropped.
            var read = Assert.Single(KubernetesYaml.LoadAllFromString(resource.Yaml, strict: true));
            var model = Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(read);
            Assert.Equal((resource.ApiVersion, resource.Kind, resource.Name), (model.ApiVersion, model.Kind, model.Metadata.Name));
            Assert.Equal(resource.Yaml, KubernetesYaml.Serialize(read));
        }
    }

    [Fact]
    public void Strict_reading_refuses_a_field_the_models_do_not_know()
    {
        var deployment = Render("three-nodes.yaml", StateMode.Skylark).Resources.First(r => r.Kind == "Deployment");
        var misspelt = deployment.Yaml.Replace("replicas:", "replicaz:", StringComparison.Ordinal);
        Assert.NotEqual(deployment.Yaml, misspelt);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, strict: true));
    }

    [Theory]
    [MemberData(nameof(ServingCases))]
    public void Every_reference_of_the_eventing_resources_resolves_to_a_rendered_resource(string topology, StateMode mode, ServingPolicy serving)
    {
        var manifests = Render(topology, mode, serving: serving);
        var rendered = manifests.Resources.Select(r => (r.ApiVersion, r.Kind, r.Name)).ToHashSet();
        void Resolves(KReference reference, string from) =>
            Assert.True(
                rendered.Contains((reference.ApiVersion!, reference.Kind, reference.Name)) && reference.Namespace is null or ManifestRenderer.Namespace,
                $"{from} refers to {reference.ApiVersion} {reference.Kind} {reference.Name}, which is not rendered");

        var eventing = manifests.Eventing;
        foreach (var broker in eventing.Brokers)
        {
            Assert.NotNull(broker.Delivery?.DeadLetterSink?.Ref);
            Resolves(broker.Delivery!.DeadLetterSink!.Ref!, $"Broker {broker.Meta.Name}");
        }

        foreach (var trigger in eventing.Triggers)
        {
            Assert.Contains(eventing.Brokers, b => b.Meta.Name == trigger.Broker);
            Resolves(Assert.IsType<KReference>(trigger.Subscriber.Ref), $"Trigger {trigger.Meta.Name}");
            if (trigger.Delivery?.DeadLetterSink?.Ref is { } deadLetters)
            {
                Resolves(deadLetters, $"Trigger {trigger.Meta.Name} dead letters");
            }
        }

        foreach (var source in eventing.PingSources)
        {
            Resolves(Assert.IsType<KReference>(source.Sink.Ref), $"PingSource {source.Meta.Name}");
        }

        foreach (var policy in eventing.EventPolicies)
        {
            foreach (var sender in policy.From.Where(s => s.Ref is not null))
            {
                Resolves(sender.Ref!, $"EventPolicy {policy.Meta.Name}");
            }

            foreach (var target in policy.To.Where(t => t.Ref is not null))
            {
                Resolves(new KReference(target.Ref!.Kind, target.Ref.Name, null, target.Ref.ApiVersion), $"EventPolicy {policy.Meta.Name}");
            }
        }

        // The files hold exactly the model's eventing resources.
        Assert.Equal(
            eventing.Triggers.Select(t => t.Meta.Name).Order(),
            manifests.Resources.Where(r => r.Kind == "Trigger").Select(r => r.Name).Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_written_Knative_files_load_back_into_the_rendered_model(string topology, StateMode mode)
    {
        // What a local runtime would serve from the folder is what the cluster gets.
        using var scratch = new ScratchDirectory();
        var manifests = Render(topology, mode);
        await manifests.WriteAsync(scratch.Path);
        var eventingFiles = manifests.Files
            .Where(f => f.Resources.All(r => IsKnative(r) && r.ApiVersion != "serving.knative.dev/v1"))
            .Select(f => Path.Combine(scratch.Path, f.Name))
            .ToList();
        var loaded = ResourceLoader.Load(eventingFiles);
        Assert.Equal(KnativeYaml.Write(manifests.Eventing), KnativeYaml.Write(loaded));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_node_has_exactly_one_propagate_route_to_its_own_StateSink(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode);
        var nodes = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", topology)).Nodes;
        var deployments = Kinds<V1Deployment>(manifests, "Deployment");
        var services = Kinds<V1Service>(manifests, "Service");
        foreach (var node in nodes)
        {
            var command = Event(EventTypes.StatePropagate, (ExtensionNames.TargetNode, node.Name));
            var routes = manifests.Eventing.Triggers.Where(t => TriggerFilters.Create(t).Filter(command) != FilterResult.Fail).ToList();
            if (!mode.Propagates())
            {
                Assert.Empty(routes);
                continue;
            }

            var route = Assert.Single(routes);
            Assert.Equal(SkylarkAudiences.StateSink(node.Name), route.Subscriber.Audience);

            // The subscriber's Service selects exactly the pod pinned to that node.
            var service = services.Single(s => s.Metadata.Name == route.Subscriber.Ref!.Name);
            var pod = Assert.Single(deployments, d => d.Spec.Template.Metadata.Labels.Contains(service.Spec.Selector.Single(l => l.Key == "skylark.io/node"))
                && d.Spec.Template.Metadata.Labels.TryGetValue("app", out var app) && app == ServiceInstance.StateSink);
            Assert.Equal(node.Name, pod.Spec.Template.Spec.NodeSelector["kubernetes.io/hostname"]);
            Assert.True(service.Spec.Selector.All(l => pod.Spec.Template.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_pipeline_event_goes_to_exactly_one_instance_preferring_the_node_holding_its_state(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode);
        var network = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", topology));
        var pipeline = ResourceLoader.Load([RepositoryPaths.InRoot("eventing")]);
        var functionTriggers = pipeline.Triggers.Where(t => network.Nodes.Any(n => n.Hosts(t.Subscriber.Ref!.Name))).ToList();
        Assert.NotEmpty(functionTriggers);
        foreach (var pipelineTrigger in functionTriggers)
        {
            var function = pipelineTrigger.Subscriber.Ref!.Name;
            var hosts = network.NodesHosting(function).Select(n => n.Name).ToList();
            var attributes = (pipelineTrigger.FilterAttributes ?? new Dictionary<string, string>()).Select(a => (a.Key, a.Value)).ToList();
            foreach (var stateNode in network.Nodes.Select(n => (string?)n.Name).Append(null).Append("not-a-node"))
            {
                var cloudEvent = Event(attributes.Single(a => a.Key == "type").Value, [.. attributes.Where(a => a.Key != "type"), .. stateNode is null ? [] : new[] { (ExtensionNames.StateNode, stateNode) }]);
                var matched = manifests.Eventing.Triggers
                    .Where(t => t.Subscriber.Ref!.Name.StartsWith(function + "-", StringComparison.Ordinal))
                    .Where(t => TriggerFilters.Create(t).Filter(cloudEvent) != FilterResult.Fail)
                    .ToList();
                var route = Assert.Single(matched);
                if (stateNode is not null && hosts.Contains(stateNode))
                {
                    Assert.Equal(LocalityRoutes.ServiceName(function, stateNode), route.Subscriber.Ref!.Name);
                }

                // Whichever instance it is, it is rendered as a Knative Service pinned to its node.
                Assert.Contains(manifests.Resources, r => r.ApiVersion == "serving.knative.dev/v1" && r.Name == route.Subscriber.Ref!.Name
                    && r.Yaml.Contains($"kubernetes.io/hostname: {route.Meta.Labels["skylark.io/node"]}", StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Round_robin_renders_each_function_as_one_Service_with_one_pod_on_each_node_hosting_it(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode, serving: ServingPolicy.RoundRobin);
        var network = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", topology));
        var functions = network.Nodes.SelectMany(n => n.Functions).Distinct().ToList();
        var services = manifests.Resources.Where(r => r.ApiVersion == "serving.knative.dev/v1" && r.Name != ServiceInstance.Predictor).ToList();
        Assert.Equal(functions.Order(StringComparer.Ordinal), services.Select(s => s.Name).Order(StringComparer.Ordinal));
        foreach (var service in services)
        {
            var hosts = network.NodesHosting(service.Name).Select(n => n.Name).ToList();
            var metadata = (YamlMappingNode)((YamlMappingNode)LoadSingle(service.Yaml))["metadata"];
            var labels = ((YamlMappingNode)metadata["labels"]).Children.ToDictionary(l => ((YamlScalarNode)l.Key).Value!, l => ((YamlScalarNode)l.Value).Value!);
            Assert.Equal(service.Name, labels["skylark.io/function"]);
            Assert.DoesNotContain("skylark.io/node", labels.Keys);

            var (annotations, pod) = PodOf(service);
            var count = hosts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal((count, count), (annotations!["autoscaling.knative.dev/min-scale"], annotations["autoscaling.knative.dev/max-scale"]));

            // Allowed on exactly the hosting nodes, in the topology's order, and spread one pod to a node.
            Assert.Null(pod.NodeSelector);
            var term = Assert.Single(pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms);
            var expression = Assert.Single(term.MatchExpressions);
            Assert.Equal(("kubernetes.io/hostname", "In"), (expression.Key, expression.OperatorProperty));
            Assert.Equal(hosts, expression.Values);
            var spread = Assert.Single(pod.TopologySpreadConstraints);
            Assert.Equal((1, "kubernetes.io/hostname", "DoNotSchedule"), (spread.MaxSkew, spread.TopologyKey, spread.WhenUnsatisfiable));
            Assert.Equal(new Dictionary<string, string> { ["skylark.io/function"] = service.Name }, spread.LabelSelector.MatchLabels);
            Assert.Null(pod.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Round_robin_keeps_each_pipeline_function_Trigger_subscribing_its_functions_Service(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode, serving: ServingPolicy.RoundRobin);
        var network = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", topology));
        var pipeline = ResourceLoader.Load([RepositoryPaths.InRoot("eventing")]);
        var functionTriggers = pipeline.Triggers.Where(t => network.Nodes.Any(n => n.Hosts(t.Subscriber.Ref!.Name))).ToList();
        Assert.NotEmpty(functionTriggers);
        foreach (var function in functionTriggers.Select(t => t.Subscriber.Ref!.Name).Distinct())
        {
            // No per-instance route: the function's Triggers are the pipeline's, unchanged.
            var rendered = manifests.Eventing.Triggers
                .Where(t => t.Subscriber.Ref!.Name == function || t.Subscriber.Ref.Name.StartsWith(function + "-", StringComparison.Ordinal))
                .ToList();
            Assert.Equal(
                KnativeYaml.Write(new EventingModel([], [.. functionTriggers.Where(t => t.Subscriber.Ref!.Name == function)], [])),
                KnativeYaml.Write(new EventingModel([], rendered, [])));
            Assert.All(rendered, t => Assert.Equal(("serving.knative.dev/v1", "Service"), (t.Subscriber.Ref!.ApiVersion, t.Subscriber.Ref.Kind)));
            Assert.Contains(manifests.Resources, r => r.ApiVersion == "serving.knative.dev/v1" && r.Kind == "Service" && r.Name == function);
        }

        // The policies admitting the functions' replies name the Triggers as eventing/ does.
        static bool NamesTriggers(EventPolicyResource policy) => policy.From.Any(s => s.Ref?.Kind == "Trigger");
        var naming = pipeline.EventPolicies.Where(NamesTriggers).ToList();
        Assert.NotEmpty(naming);
        Assert.Equal(
            KnativeYaml.Write(EventingModel.Empty with { EventPolicies = naming }),
            KnativeYaml.Write(EventingModel.Empty with { EventPolicies = [.. manifests.Eventing.EventPolicies.Where(NamesTriggers)] }));
    }

    [Fact]
    public void The_predictor_learns_its_node_from_the_downward_API_so_its_spans_name_it()
    {
        var manifests = Render("three-nodes.yaml", StateMode.Skylark, serving: ServingPolicy.RoundRobin);
        var predictor = manifests.Resources.Single(r => r.ApiVersion == "serving.knative.dev/v1" && r.Name == ServiceInstance.Predictor);
        var node = PodOf(predictor).Pod.Containers.Single().Env.Single(e => e.Name == CommonSettings.Node.Environment);
        Assert.Equal("spec.nodeName", node.ValueFrom?.FieldRef?.FieldPath);
        Assert.Null(node.Value);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_round_robin_pod_learns_its_node_from_the_downward_API_before_any_value_refers_to_it(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode, serving: ServingPolicy.RoundRobin);
        var network = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", topology));
        var functions = network.Nodes.SelectMany(n => n.Functions).ToHashSet(StringComparer.Ordinal);
        foreach (var service in manifests.Resources.Where(r => r.ApiVersion == "serving.knative.dev/v1" && functions.Contains(r.Name)))
        {
            var env = PodOf(service).Pod.Containers.Single().Env;
            var node = env.Single(e => e.Name == CommonSettings.Node.Environment);
            Assert.Equal("spec.nodeName", node.ValueFrom?.FieldRef?.FieldPath);
            Assert.Null(node.Value);

            // Kubernetes expands $(VAR) only from variables declared before it.
            var references = env.Select((e, i) => (e, i)).Where(x => x.e.Value?.Contains("$(", StringComparison.Ordinal) == true).ToList();
            Assert.All(references, x => Assert.True(env.IndexOf(node) < x.i, $"{service.Name}: {x.e.Name} comes before {node.Name}"));
            Assert.All(references, x => Assert.Contains($"$({CommonSettings.Node.Environment})", x.e.Value, StringComparison.Ordinal));
            string[] perNode = mode == StateMode.Central ? [] : [CommonSettings.Redis.Environment, StateSettings.NodeSink.Environment];
            Assert.Equal(perNode, references.Select(x => x.e.Name).Where(n => n != CommonSettings.Mqtt.Environment));

            // No node-specific audience: the token is for every StateSink, which each also accepts.
            Assert.DoesNotContain(network.Nodes, n => service.Yaml.Contains(SkylarkAudiences.StateSink(n.Name), StringComparison.Ordinal));
            if (mode != StateMode.Central)
            {
                Assert.Contains($"audience: {SkylarkAudiences.StateSinks}", service.Yaml, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_image_named_is_built_by_a_Dockerfile_target_or_is_public(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode);
        var targets = DockerfileTests.Stages().Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var named = manifests.Resources
            .SelectMany(r => r.Yaml.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("image: ", StringComparison.Ordinal) || l.StartsWith("- image: ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("image: ", StringComparison.Ordinal) + "image: ".Length)..].Trim('"', '\''))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(named.Order(StringComparer.Ordinal), manifests.Images.Order(StringComparer.Ordinal));
        foreach (var image in named)
        {
            if (image is DeployImages.Redis or DeployImages.Mosquitto)
            {
                continue;
            }

            Assert.StartsWith("registry.example:5000/skylark/skylark-", image, StringComparison.Ordinal);
            Assert.EndsWith(":test", image, StringComparison.Ordinal);
            var target = DeployImages.TargetOf(image);
            Assert.True(target is not null && targets.Contains(target), $"{image} has no target in deploy/docker/Dockerfile");
        }
    }

    [Fact]
    public void The_requests_the_API_code_makes_are_exactly_the_declared_ones()
    {
        // Each generated client method is <Verb>[Namespaced]<Kind>Async; RBAC names the verb in lower case and the
        // resource in the plural.
        var calls = Directory.EnumerateFiles(RepositoryPaths.InRoot("src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"\.CoreV1\.(List|Read|Watch|Create|Patch|Replace|Delete)(Namespaced)?([A-Za-z]+?)Async\("))
            .Select(m => new KubernetesApiRequest(
                "",
                m.Groups[3].Value.ToLowerInvariant() + "s",
                m.Groups[1].Value == "Read" ? "get" : m.Groups[1].Value.ToLowerInvariant(),
                m.Groups[2].Success))
            .ToHashSet();
        Assert.NotEmpty(calls);
        Assert.Equal(calls.OrderBy(c => c.Resource), KubernetesApiAccess.Of(new KubernetesTopologyOptions()).ToHashSet().OrderBy(c => c.Resource));
        Assert.Equal([KubernetesApiAccess.ListNodes], KubernetesApiAccess.Of(new KubernetesTopologyOptions { ListSinkEndpoints = false }));
    }

    [Theory]
    [MemberData(nameof(ServingCases))]
    public void The_RBAC_grants_each_service_account_exactly_the_requests_its_code_makes(string topology, StateMode mode, ServingPolicy serving)
    {
        var fromFile = Render(topology, mode, serving: serving);
        Assert.DoesNotContain(fromFile.Resources, r => r.Kind is "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding");

        var manifests = Render(topology, mode, DeployTopologySource.Kubernetes, serving);
        var clusterRoles = Kinds<V1ClusterRole>(manifests, "ClusterRole").ToDictionary(r => r.Metadata.Name);
        var roles = Kinds<V1Role>(manifests, "Role").ToDictionary(r => r.Metadata.Name);
        var granted = new Dictionary<string, HashSet<KubernetesApiRequest>>(StringComparer.Ordinal);
        void Grant(IEnumerable<Rbacv1Subject> subjects, IEnumerable<V1PolicyRule> rules, bool namespaced)
        {
            foreach (var subject in subjects)
            {
                Assert.Equal(("ServiceAccount", ManifestRenderer.Namespace), (subject.Kind, subject.NamespaceProperty));
                var set = granted.TryGetValue(subject.Name, out var existing) ? existing : granted[subject.Name] = [];
                foreach (var rule in rules)
                {
                    foreach (var (group, resource, verb) in rule.ApiGroups.SelectMany(g => rule.Resources.SelectMany(r => rule.Verbs.Select(v => (g, r, v)))))
                    {
                        set.Add(new KubernetesApiRequest(group, resource, verb, namespaced));
                    }
                }
            }
        }

        foreach (var binding in Kinds<V1ClusterRoleBinding>(manifests, "ClusterRoleBinding"))
        {
            Grant(binding.Subjects, clusterRoles[binding.RoleRef.Name].Rules, namespaced: false);
        }

        foreach (var binding in Kinds<V1RoleBinding>(manifests, "RoleBinding"))
        {
            Assert.Equal(ManifestRenderer.Namespace, binding.Metadata.NamespaceProperty);
            Grant(binding.Subjects, roles[binding.RoleRef.Name].Rules, namespaced: true);
        }

        var nodes = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", topology)).Nodes;
        var expected = new Dictionary<string, IReadOnlyList<KubernetesApiRequest>>(StringComparer.Ordinal);
        if (mode != StateMode.Central)
        {
            foreach (var node in nodes)
            {
                expected[ManifestRenderer.SinkAccount(node.Name)] = KubernetesApiAccess.Of(new KubernetesTopologyOptions());
            }
        }

        if (mode.Propagates())
        {
            expected[ServiceInstance.Predictor] = KubernetesApiAccess.Of(new KubernetesTopologyOptions { ListSinkEndpoints = false });
        }

        Assert.Equal(expected.Keys.Order(), granted.Keys.Order());
        foreach (var (account, requests) in expected)
        {
            Assert.True(requests.ToHashSet().SetEquals(granted[account]), $"{account}: granted {string.Join(", ", granted[account])}");
        }

        // Only what reads the API gets its API token, and every pod that runs as an account has one rendered.
        var accounts = Kinds<V1ServiceAccount>(manifests, "ServiceAccount").ToDictionary(a => a.Metadata.Name);
        Assert.All(accounts.Values, a => Assert.Equal(expected.ContainsKey(a.Metadata.Name), a.AutomountServiceAccountToken));
        foreach (var deployment in Kinds<V1Deployment>(manifests, "Deployment"))
        {
            Assert.Contains(deployment.Spec.Template.Spec.ServiceAccountName, accounts.Keys);
            Assert.Null(deployment.Spec.Template.Spec.AutomountServiceAccountToken);
        }

        // The sinks list their peers with the code's own defaults: the pods carry app=statesink and a port named http.
        var defaults = new KubernetesTopologyOptions();
        foreach (var sink in Kinds<V1Deployment>(manifests, "Deployment").Where(d => d.Metadata.Labels["app"] == ServiceInstance.StateSink))
        {
            Assert.Equal(defaults.SinkNamespace, sink.Metadata.NamespaceProperty);
            Assert.Equal(defaults.SinkLabelSelector, "app=" + sink.Spec.Template.Metadata.Labels["app"]);
            Assert.Contains(sink.Spec.Template.Spec.Containers.Single().Ports, p => p.Name == defaults.SinkPortName && p.ContainerPort == defaults.SinkPort);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Secrets_are_never_rendered_and_every_one_a_pod_reads_is_generated(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode);
        Assert.DoesNotContain(manifests.Resources, r => r.Kind == "Secret");
        var generated = manifests.Secrets.SelectMany(s => s.Keys.Select(k => (s.Name, k))).ToHashSet();
        var kustomization = manifests.Kustomization();
        foreach (var (secret, key) in generated)
        {
            Assert.Contains($"{key}=secrets/{secret}/{key}", kustomization, StringComparison.Ordinal);
            Assert.Contains($"secrets/{secret}/{key}", manifests.SecretScriptText(), StringComparison.Ordinal);
        }

        foreach (var resource in manifests.Resources)
        {
            foreach (var volume in Volumes(resource).Where(v => v.Secret is not null))
            {
                Assert.Contains(volume.Secret.SecretName, manifests.Secrets.Select(s => s.Name));

                // 0444: Kubernetes makes the files root's, and the pods run as their service's non-root user.
                Assert.Equal(0b100_100_100, volume.Secret.DefaultMode);
                foreach (var item in volume.Secret.Items ?? [])
                {
                    Assert.Contains((volume.Secret.SecretName, item.Key), generated);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_service_built_here_is_probed_limited_scraped_and_runs_non_root_on_a_read_only_root(string topology, StateMode mode)
    {
        var manifests = Render(topology, mode);
        var documented = File.ReadAllText(RepositoryPaths.InRoot("docs", "configuration.md"));
        foreach (var resource in manifests.Resources.Where(r => r.Kind is "Deployment" || r.ApiVersion == "serving.knative.dev/v1"))
        {
            var (annotations, pod) = PodOf(resource);

            // Scraped where there is something to scrape: Redis and mosquitto serve no /metrics.
            Assert.Equal(pod.Containers.Any(c => DeployImages.TargetOf(c.Image) is not null), annotations?.ContainsKey("prometheus.io/scrape") == true);
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var what = $"{resource.Kind}/{resource.Name} {container.Name}";
                Assert.True(container.SecurityContext is { RunAsNonRoot: true, ReadOnlyRootFilesystem: true, AllowPrivilegeEscalation: false }, what);
                Assert.NotNull(container.Resources?.Requests);
                Assert.NotNull(container.Resources?.Limits);
                if (DeployImages.TargetOf(container.Image) is null)
                {
                    continue;
                }

                Assert.Equal("/healthz", container.LivenessProbe?.HttpGet?.Path);
                Assert.Equal("/readyz", container.ReadinessProbe?.HttpGet?.Path);
                Assert.Equal("true", annotations!["prometheus.io/scrape"]);
                Assert.Equal("/metrics", annotations["prometheus.io/path"]);

                // Every variable is a setting of the service contract, spelt as docs/configuration.md has it.
                foreach (var variable in container.Env ?? [])
                {
                    Assert.True(documented.Contains($"`{variable.Name}`", StringComparison.Ordinal), $"{what}: {variable.Name} is not in docs/configuration.md");
                }
            }
        }
    }

    [Fact]
    public async Task Written_folder_has_every_file_in_its_kustomization_and_a_secret_script_that_fills_only_what_is_missing()
    {
        using var scratch = new ScratchDirectory();
        var manifests = Render("three-nodes.yaml", StateMode.Skylark);
        await manifests.WriteAsync(scratch.Path);
        var written = Directory.EnumerateFiles(scratch.Path, "*.yaml").Select(Path.GetFileName).Where(f => f != RenderedManifests.KustomizationFile).Order().ToList();
        Assert.Equal(manifests.Files.Select(f => f.Name).Order(), written);
        var kustomization = (YamlMappingNode)LoadSingle(File.ReadAllText(Path.Combine(scratch.Path, RenderedManifests.KustomizationFile)));
        Assert.Equal(written, ((YamlSequenceNode)kustomization["resources"]).Children.Select(c => ((YamlScalarNode)c).Value).Order());
        foreach (var file in manifests.Files)
        {
            Assert.Equal(file.Text, await File.ReadAllTextAsync(Path.Combine(scratch.Path, file.Name)));
        }

        var script = Path.Combine(scratch.Path, RenderedManifests.SecretScript);
        Directory.CreateDirectory(Path.Combine(scratch.Path, "secrets", ManifestRenderer.PeerSecret));
        await File.WriteAllTextAsync(Path.Combine(scratch.Path, "secrets", ManifestRenderer.PeerSecret, "token"), "kept");
        using (var shell = System.Diagnostics.Process.Start("sh", script))
        {
            await shell.WaitForExitAsync();
            Assert.Equal(0, shell.ExitCode);
        }

        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(scratch.Path, "secrets", ManifestRenderer.PeerSecret, "token")));
        foreach (var secret in manifests.Secrets.Where(s => s.Name != ManifestRenderer.PeerSecret))
        {
            foreach (var key in secret.Keys)
            {
                var value = await File.ReadAllTextAsync(Path.Combine(scratch.Path, secret.FileOf(key)));
                Assert.Matches("^[A-Za-z0-9_-]{32}$", value);
            }
        }
    }

    [Fact]
    public void A_node_name_that_cannot_name_a_Kubernetes_resource_is_refused_with_its_name()
    {
        using var scratch = new ScratchDirectory();
        var path = Path.Combine(scratch.Path, "bad.yaml");
        File.WriteAllText(path, "nodes:\n  - { name: Edge_1, type: edge, functions: [preprocess] }\n");
        var error = Assert.Throws<ArgumentException>(() => ManifestRenderer.Render(new DeployOptions(path) { EventingPath = RepositoryPaths.InRoot("eventing") }));
        Assert.Contains("Edge_1", error.Message, StringComparison.Ordinal);
    }

    private static YamlNode LoadSingle(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Assert.Single(stream.Documents).RootNode;
    }

    private static List<T> Kinds<T>(RenderedManifests manifests, string kind) =>
        [.. manifests.Resources.Where(r => r.Kind == kind && !IsKnative(r)).Select(r => KubernetesYaml.Deserialize<T>(r.Yaml, strict: true))];

    /// <summary>A Deployment's pod, or a Knative Service's template read as the pod spec it is.</summary>
    private static (IDictionary<string, string>? Annotations, V1PodSpec Pod) PodOf(RenderedResource resource)
    {
        if (resource.Kind == "Deployment")
        {
            var deployment = KubernetesYaml.Deserialize<V1Deployment>(resource.Yaml, strict: true);
            return (deployment.Spec.Template.Metadata.Annotations, deployment.Spec.Template.Spec);
        }

        var template = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)LoadSingle(resource.Yaml))["spec"])["template"];
        var annotations = ((YamlMappingNode)((YamlMappingNode)template["metadata"])["annotations"]).Children
            .ToDictionary(a => ((YamlScalarNode)a.Key).Value!, a => ((YamlScalarNode)a.Value).Value!);
        var spec = new YamlStream(new YamlDocument(template["spec"]));
        using var text = new StringWriter();
        spec.Save(text, assignAnchors: false);
        return (annotations, KubernetesYaml.Deserialize<V1PodSpec>(text.ToString(), strict: true));
    }

    private static IEnumerable<V1Volume> Volumes(RenderedResource resource) =>
        resource.Kind == "Deployment" || resource.ApiVersion == "serving.knative.dev/v1" ? PodOf(resource).Pod.Volumes ?? [] : [];

    private static CloudEvent Event(string type, params (string Name, string Value)[] extensions)
    {
        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = type,
            Source = new Uri("urn:test"),
        };
        foreach (var (name, value) in extensions)
        {
            cloudEvent[name] = value;
        }

        return cloudEvent;
    }
}
