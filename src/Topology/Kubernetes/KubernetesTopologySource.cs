using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skylark.Events.Topology;

/// <summary>
/// Reads the deployment's topology from a Kubernetes cluster (format: docs/topology.md, "On Kubernetes"): Nodes
/// labelled <c>node-type</c> are the Skylark nodes, their annotations declare hosted functions and links, and the
/// StateSink DaemonSet's ready pods give each node's StateSink endpoint. Every call to <see cref="LoadAsync"/> reads
/// the cluster afresh, so a refresher can call it periodically and keep its previous topology when a load fails.
/// </summary>
public sealed class KubernetesTopologySource : IDisposable
{
    private readonly IKubernetes _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Uses <paramref name="client"/>, which the caller keeps and disposes.</summary>
    public KubernetesTopologySource(
        IKubernetes client,
        KubernetesTopologyOptions? options = null,
        ILogger<KubernetesTopologySource>? logger = null,
        TimeProvider? timeProvider = null)
        : this(client, ownsClient: false, options, logger, timeProvider)
    {
    }

    private KubernetesTopologySource(IKubernetes client, bool ownsClient, KubernetesTopologyOptions? options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        Options = options ?? new KubernetesTopologyOptions();
        Options.Validate();
        _client = client;
        _ownsClient = ownsClient;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public KubernetesTopologyOptions Options { get; }

    /// <summary>The API server the source reads from.</summary>
    public Uri ApiServer => _client.BaseUri;

    /// <summary>Where the topology comes from, for logs and errors: <c>Kubernetes API &lt;url&gt;</c>.</summary>
    public string Description => $"Kubernetes API {ApiServer}";

    /// <summary>A source with its own client for <paramref name="configuration"/> (disposed with the source).</summary>
    public static KubernetesTopologySource Create(
        KubernetesClientConfiguration configuration,
        KubernetesTopologyOptions? options = null,
        ILogger<KubernetesTopologySource>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new KubernetesTopologySource(new Kubernetes(configuration), ownsClient: true, options, logger, timeProvider);
    }

    /// <summary>
    /// A source for the cluster this process runs in, or the current kubeconfig context outside one
    /// (<c>KUBECONFIG</c>, then <c>~/.kube/config</c>).
    /// </summary>
    public static KubernetesTopologySource CreateDefault(
        KubernetesTopologyOptions? options = null,
        ILogger<KubernetesTopologySource>? logger = null,
        TimeProvider? timeProvider = null)
    {
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException)
        {
            throw new KubernetesTopologyException(
                $"no Kubernetes configuration: not running in a cluster and no usable kubeconfig ({ex.Message}).", ex);
        }

        return Create(configuration, options, logger, timeProvider);
    }

    /// <summary>Reads the nodes (and the StateSink pods, unless <see cref="KubernetesTopologyOptions.ListSinkEndpoints"/> is off) and builds the topology.</summary>
    /// <exception cref="TopologyValidationException">The cluster's labels or annotations describe an invalid topology;
    /// every problem is listed.</exception>
    /// <exception cref="KubernetesTopologyException">The API server could not be read (unreachable, an error status,
    /// not a list, or <see cref="KubernetesTopologyOptions.Timeout"/> passed).</exception>
    public async Task<KubernetesTopology> LoadAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var nodeQuery = $"GET /api/v1/nodes?labelSelector={Options.NodeTypeLabel}";
            var nodeItems = await ListAllAsync(
                nodeQuery,
                async (next, ct) =>
                {
                    var page = await _client.CoreV1.ListNodeAsync(
                        continueParameter: next, labelSelector: Options.NodeTypeLabel, limit: Options.PageSize, cancellationToken: ct);
                    return (page?.Items, page?.Metadata?.ContinueProperty);
                },
                linked.Token);

            var errors = new List<string>();
            var warnings = new List<string>();
            var (nodes, declared) = KubernetesNodes.Read(nodeItems, Options, errors);
            if (nodes.Count == 0 && errors.Count == 0)
            {
                errors.Add($"no Kubernetes node has the label {Options.NodeTypeLabel} (cloud | edge | sat); "
                    + $"label at least one, e.g. kubectl label node <name> {Options.NodeTypeLabel}=edge.");
            }

            var links = LinkMerger.Merge(nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal), declared, Options, warnings);
            if (errors.Count > 0)
            {
                throw new TopologyValidationException(Description, errors);
            }

            NetworkTopology topology;
            try
            {
                topology = new NetworkTopology(nodes, links, name: Options.TopologyName);
            }
            catch (TopologyValidationException ex)
            {
                throw new TopologyValidationException(Description, ex.Errors);
            }

            var sinks = Options.ListSinkEndpoints
                ? await ListSinkEndpointsAsync(topology, warnings, linked.Token)
                : new Dictionary<string, Uri>(StringComparer.Ordinal);

            foreach (var warning in warnings)
            {
                KubernetesTopologyLog.Warning(_logger, warning);
            }

            KubernetesTopologyLog.Loaded(_logger, topology.Name, ApiServer, topology.Nodes.Count, links.Count, sinks.Count);
            return new KubernetesTopology(topology, sinks.AsReadOnly(), warnings.AsReadOnly());
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed(new KubernetesTopologyException(
                $"the Kubernetes API at {ApiServer} did not answer within {Options.Timeout.TotalSeconds:0.###} s.", ex));
        }
    }

    private async Task<Dictionary<string, Uri>> ListSinkEndpointsAsync(NetworkTopology topology, List<string> warnings, CancellationToken cancellationToken)
    {
        var podQuery = $"GET /api/v1/namespaces/{Options.SinkNamespace}/pods?labelSelector={Options.SinkLabelSelector}";
        var pods = await ListAllAsync(
            podQuery,
            async (next, ct) =>
            {
                var page = await _client.CoreV1.ListNamespacedPodAsync(
                    Options.SinkNamespace, continueParameter: next, labelSelector: Options.SinkLabelSelector, limit: Options.PageSize, cancellationToken: ct);
                return (page?.Items, page?.Metadata?.ContinueProperty);
            },
            cancellationToken);
        return SinkEndpoints.Map(pods, topology, Options, warnings, (pod, reason) => KubernetesTopologyLog.SinkSkipped(_logger, pod, reason));
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>Follows the API's continue tokens so a large cluster is read in bounded pages.</summary>
    private async Task<List<T>> ListAllAsync<T>(
        string query, Func<string?, CancellationToken, Task<(IList<T>? Items, string? Continue)>> listPage, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        string? next = null;
        do
        {
            (IList<T>? Items, string? Continue) page;
            try
            {
                page = await listPage(next, cancellationToken);
            }
            catch (HttpOperationException ex)
            {
                var status = ex.Response?.StatusCode;
                throw Failed(new KubernetesTopologyException(
                    $"the Kubernetes API at {ApiServer} answered {query} with {(int?)status} {status}: {Explain(ex.Response?.Content)}", status, ex));
            }
            catch (HttpRequestException ex)
            {
                throw Failed(new KubernetesTopologyException($"could not reach the Kubernetes API at {ApiServer} for {query}: {ex.Message}", ex));
            }
            catch (JsonException ex)
            {
                throw Failed(new KubernetesTopologyException($"the Kubernetes API at {ApiServer} answered {query} with something that is not a list: {ex.Message}", ex));
            }

            if (page.Items is null)
            {
                throw Failed(new KubernetesTopologyException($"the Kubernetes API at {ApiServer} answered {query} without 'items'; expected a list."));
            }

            all.AddRange(page.Items);
            next = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
        }
        while (next is not null);

        return all;
    }

    private KubernetesTopologyException Failed(KubernetesTopologyException ex)
    {
        KubernetesTopologyLog.Failed(_logger, ApiServer, ex.Message);
        return ex;
    }

    /// <summary>The API server explains errors in a Status object; show its message rather than raw JSON.</summary>
    private static string Explain(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(empty body)";
        }

        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(body);
            if (status is { Kind: "Status", Message: { Length: > 0 } message })
            {
                return status.Reason is { Length: > 0 } reason ? $"{message} (reason {reason})" : message;
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page, say): show the start of the body as it is.
        }

        var trimmed = body.Trim();
        return trimmed.Length <= 200 ? trimmed : string.Concat(trimmed.AsSpan(0, 200), "…");
    }
}
