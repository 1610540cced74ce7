using k8s;
using k8s.Models;
using Skylark.Events.Eventing.Resources;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Lab.Deploy;

/// <summary>
/// A workload of the rendered set: a Deployment or a Knative Service, what it runs and on which nodes.
/// </summary>
/// <param name="Name">The Deployment's or Knative Service's name.</param>
/// <param name="Deployable">What its pods run: the <c>app</c> label (<c>statesink</c>, <c>redis</c>, a function's name, …).</param>
/// <param name="Nodes">
/// The nodes its pods are placed on, from the pod's <c>kubernetes.io/hostname</c> node selector or required node
/// affinity; empty when Kubernetes may place it anywhere (the Predictor, the dead-letter store).
/// </param>
/// <param name="IsKnativeService">A Knative Service, which is addressable by its own name.</param>
public sealed record RenderedWorkload(string Name, string Deployable, IReadOnlyList<string> Nodes, bool IsKnativeService);

/// <summary>
/// What a rendered set of manifests (<see cref="ManifestRenderer"/>'s output, in memory or written to a folder) runs
/// where, read back from the resources themselves: the Knative eventing resources, every workload with its placement,
/// and which workload each Service name reaches. <c>skylark up</c> starts its instances and resolves the Triggers'
/// subscribers from this, so what a cluster gets is what the local run exercises.
/// </summary>
public sealed class RenderedCluster
{
    private const string HostnameLabel = "kubernetes.io/hostname";

    private readonly Dictionary<string, RenderedWorkload> _addressable;

    private RenderedCluster(EventingModel eventing, IReadOnlyList<RenderedWorkload> workloads, Dictionary<string, RenderedWorkload> addressable)
    {
        Eventing = eventing;
        Workloads = workloads;
        _addressable = addressable;
    }

    /// <summary>The Broker, Triggers, PingSources and EventPolicies.</summary>
    public EventingModel Eventing { get; }

    /// <summary>Every Deployment and Knative Service, in the order they were rendered.</summary>
    public IReadOnlyList<RenderedWorkload> Workloads { get; }

    /// <summary>The workload each addressable name reaches: a Knative Service by its own name, a core Service by the Deployment it selects.</summary>
    public IReadOnlyDictionary<string, RenderedWorkload> Addressable => _addressable;

    /// <summary>The nodes the workloads running <paramref name="deployable"/> are placed on, in rendering order, each once.</summary>
    public IReadOnlyList<string> NodesOf(string deployable) =>
        [.. Workloads.Where(w => w.Deployable == deployable).SelectMany(w => w.Nodes).Distinct(StringComparer.Ordinal)];

    public bool Runs(string deployable) => Workloads.Any(w => w.Deployable == deployable);

    /// <summary>Reads the resources <see cref="ManifestRenderer.Render(DeployOptions)"/> produced, without writing them anywhere.</summary>
    /// <exception cref="InvalidDataException">A workload cannot be read or a Service selects no workload.</exception>
    public static RenderedCluster Of(RenderedManifests manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        return Read(manifests.Eventing, manifests.Resources.Select(r => (r.ApiVersion, r.Kind, r.Name, r.Yaml, Origin: $"{r.Kind} {r.Name}")));
    }

    /// <summary>Reads the manifests <c>skylark deploy render --out <paramref name="folder"/></c> wrote (every <c>*.yaml</c> directly in it).</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    /// <exception cref="ResourceValidationException">A Knative resource in it is invalid.</exception>
    /// <exception cref="InvalidDataException">It holds no rendered workloads, a workload cannot be read, or a Service selects no workload.</exception>
    public static RenderedCluster Load(string folder, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Manifests folder '{folder}' does not exist; write it with skylark deploy render --out {folder}.");
        }

        var files = Directory.GetFiles(folder, "*.yaml").Where(f => Path.GetFileName(f) != RenderedManifests.KustomizationFile).Order(StringComparer.Ordinal).ToList();

        // Deployments, Services and the rest are not eventing resources: the loader skips them, and says so only in debug logs.
        var eventing = ResourceLoader.Load(files, logger);
        var documents = new List<(string ApiVersion, string Kind, string Name, string Yaml, string Origin)>();
        foreach (var file in files)
        {
            var stream = new YamlStream();
            using (var reader = new StringReader(File.ReadAllText(file)))
            {
                stream.Load(reader);
            }

            for (var i = 0; i < stream.Documents.Count; i++)
            {
                if (stream.Documents[i].RootNode is not YamlMappingNode root)
                {
                    continue;
                }

                var text = new StringWriter();
                new YamlStream(stream.Documents[i]).Save(text, assignAnchors: false);
                documents.Add((Scalar(root, "apiVersion"), Scalar(root, "kind"), Scalar(Child(root, "metadata"), "name"), text.ToString(), $"{Path.GetFileName(file)} document {i + 1}"));
            }
        }

        var cluster = Read(eventing, documents);
        return cluster.Workloads.Count == 0
            ? throw new InvalidDataException($"Manifests folder '{folder}' holds no Deployment or Knative Service; write it with skylark deploy render --out {folder}.")
            : cluster;
    }

    private static RenderedCluster Read(EventingModel eventing, IEnumerable<(string ApiVersion, string Kind, string Name, string Yaml, string Origin)> documents)
    {
        var workloads = new List<(RenderedWorkload Workload, IDictionary<string, string> Labels)>();
        var services = new List<(V1Service Service, string Origin)>();
        foreach (var (apiVersion, kind, _, yaml, origin) in documents)
        {
            try
            {
                switch ((apiVersion, kind))
                {
                    case ("apps/v1", "Deployment"):
                        var deployment = KubernetesYaml.Deserialize<V1Deployment>(yaml, strict: true);
                        var labels = deployment.Spec.Template.Metadata.Labels;
                        workloads.Add((new RenderedWorkload(deployment.Metadata.Name, App(labels, origin), NodesOf(deployment.Spec.Template.Spec), false), labels));
                        break;
                    case ("v1", "Service"):
                        services.Add((KubernetesYaml.Deserialize<V1Service>(yaml, strict: true), origin));
                        break;
                    case ("serving.knative.dev/v1", "Service"):
                        workloads.Add(KnativeService(yaml, origin));
                        break;
                }
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{origin}: {e.Message}", e);
            }
        }

        var addressable = workloads.Where(w => w.Workload.IsKnativeService).ToDictionary(w => w.Workload.Name, w => w.Workload, StringComparer.Ordinal);
        foreach (var (service, origin) in services)
        {
            var selector = service.Spec.Selector ?? new Dictionary<string, string>();
            var selected = workloads.Where(w => !w.Workload.IsKnativeService && selector.All(s => w.Labels.TryGetValue(s.Key, out var value) && value == s.Value)).ToList();
            addressable[service.Metadata.Name] = selected.Count == 1
                ? selected[0].Workload
                : throw new InvalidDataException($"{origin}: Service '{service.Metadata.Name}' selects {selected.Count} Deployments ({string.Join(", ", selected.Select(w => w.Workload.Name))}); the local run needs exactly one.");
        }

        return new RenderedCluster(eventing, [.. workloads.Select(w => w.Workload)], addressable);
    }

    private static (RenderedWorkload, IDictionary<string, string>) KnativeService(string yaml, string origin)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var name = Scalar(Child(root, "metadata"), "name");
        var template = Child(Child(root, "spec"), "template");
        var labels = Child(Child(template, "metadata"), "labels").Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "", StringComparer.Ordinal);
        var podText = new StringWriter();
        new YamlStream(new YamlDocument(Child(template, "spec"))).Save(podText, assignAnchors: false);
        var pod = KubernetesYaml.Deserialize<V1PodSpec>(podText.ToString(), strict: true);
        return (new RenderedWorkload(name, App(labels, origin), NodesOf(pod), true), labels);
    }

    private static string App(IDictionary<string, string>? labels, string origin) =>
        labels is not null && labels.TryGetValue("app", out var app) && !string.IsNullOrEmpty(app)
            ? app
            : throw new InvalidDataException($"{origin}: its pods have no 'app' label, which names what they run.");

    /// <summary>The nodes a pod may run on, as the renderer pins pods: one hostname selector, or one hostname affinity term.</summary>
    private static List<string> NodesOf(V1PodSpec pod)
    {
        if (pod.NodeSelector is { } selector && selector.TryGetValue(HostnameLabel, out var node))
        {
            return [node];
        }

        var terms = pod.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [];
        return [.. terms
            .SelectMany(t => t.MatchExpressions ?? [])
            .Where(e => e.Key == HostnameLabel && e.OperatorProperty == "In")
            .SelectMany(e => e.Values ?? [])
            .Distinct(StringComparer.Ordinal)];
    }

    private static YamlMappingNode Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode mapping
            ? mapping
            : throw new InvalidDataException($"expected a mapping '{key}' at {map.Start}");

    private static string Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode { Value: { } value } ? value : "";
}
