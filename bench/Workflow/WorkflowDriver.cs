using System.Diagnostics;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Lab.Up;
using Skylark.Events.Contracts;
using Skylark.Events.State;

namespace Skylark.Events.Benchmarks.Workflow;

/// <summary>
/// Runs benchmark workflows on an <see cref="EmulatedCluster"/> the way a producer would: the input bundle is written
/// through the first stage's node's <see cref="BundleStore"/> (with a central store that write crosses the link, like
/// a camera's frame uploaded to the cloud), then a start event goes from that node to the broker. The workflow ends when the
/// <see cref="WorkflowTracker"/> has the last stage's completion; end-to-end latency is end − start, upload included.
/// </summary>
public sealed class WorkflowDriver
{
    private readonly EmulatedCluster _cluster;
    private readonly WorkflowTracker _tracker;
    private readonly HttpClient _http;
    private readonly BundleStore _inputStore;
    private readonly TimeSpan _timeout;
    private readonly Uri _ingress;
    private readonly System.Net.Http.Headers.AuthenticationHeaderValue? _sender;

    public WorkflowDriver(EmulatedCluster cluster, WorkflowTracker tracker, HttpClient http, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(http);
        _cluster = cluster;
        _tracker = tracker;
        _http = http;
        _timeout = timeout;
        FirstNode = cluster.Topology.Nodes.FirstOrDefault(n => n.Functions.Contains(WorkflowStages.InOrder[0]))?.Name
            ?? throw new ArgumentException($"Topology '{cluster.Topology.Name}' has no node hosting '{WorkflowStages.InOrder[0]}'.", nameof(cluster));
        _inputStore = cluster.NodeServices(FirstNode).GetRequiredService<BundleStore>();

        // The start is sent where the input was produced, so it crosses the path to the broker like a camera's event.
        _ingress = cluster.IngressFrom(FirstNode);

        // Workflows start as the operator, the identity allowed to send any event type.
        _sender = cluster.Endpoints.Tokens is { } tokens ? new("Bearer", tokens[Skylark.Events.Lab.Up.ClusterIdentity.Operator]) : null;
    }

    /// <summary>The node the first stage runs on, where inputs are produced.</summary>
    public string FirstNode { get; }

    /// <inheritdoc cref="RunAsync(string, ReadOnlyMemory{byte}, bool, StageWork, CancellationToken)"/>
    public Task<WorkflowMeasurement> RunAsync(string workflowId, ReadOnlyMemory<byte> state, bool alarm, CancellationToken cancellationToken) =>
        RunAsync(workflowId, state, alarm, StageWork.None, cancellationToken);

    /// <exception cref="TimeoutException">The workflow did not finish within the driver's timeout.</exception>
    /// <exception cref="InvalidOperationException">One of its events was dead-lettered.</exception>
    /// <param name="workflowId">Unique per run.</param>
    /// <param name="state">The input bundle's one item; every stage's output is as large.</param>
    /// <param name="alarm">Whether the workflow goes on to the alarm stage, or ends at the last detect stage.</param>
    /// <param name="work">What every stage does between reading its input and completing (the start event carries it).</param>
    /// <param name="cancellationToken">Abandons the workflow.</param>
    public async Task<WorkflowMeasurement> RunAsync(string workflowId, ReadOnlyMemory<byte> state, bool alarm, StageWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = _tracker.Expect(workflowId, WorkflowStages.LastFor(alarm));
        try
        {
            var started = Stopwatch.GetTimestamp();
            var input = new StateRef(_inputStore.Node, workflowId, WorkflowStages.InputBundle);
            await _inputStore.WriteAsync(
                input,
                BundleItems.CreateBuilder().Add(WorkflowStages.StateItem, state).Build(),
                StateStageFunction.OutputTimeToLive,
                cancellationToken);
            var uploaded = Stopwatch.GetTimestamp();
            await PostStartAsync(workflowId, input, alarm, work, cancellationToken);
            IReadOnlyList<StageReport> stages;
            try
            {
                stages = await done.WaitAsync(_timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Workflow '{workflowId}' ({state.Length} bytes, mode {_cluster.Mode.Name()}) did not finish within {_timeout}.");
            }

            return new WorkflowMeasurement(
                workflowId,
                state.Length,
                Stopwatch.GetElapsedTime(started, stages[^1].ArrivedAt).TotalMilliseconds,
                Stopwatch.GetElapsedTime(started, uploaded).TotalMilliseconds,
                started,
                stages);
        }
        finally
        {
            _tracker.Forget(workflowId);
        }
    }

    private async Task PostStartAsync(string workflowId, StateRef input, bool alarm, StageWork work, CancellationToken cancellationToken)
    {
        var start = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = $"start-{workflowId}",
            Type = WorkflowStages.StartedType,
            Source = WorkflowStages.StartedSource,
            Time = DateTimeOffset.UtcNow,
        };
        start[ExtensionNames.WorkflowId] = workflowId;
        start[ExtensionNames.StateKey] = input.ToString();
        start[ExtensionNames.StateNode] = input.Node;
        start[WorkflowStages.AlarmExtension] = alarm ? "true" : "false";
        foreach (var (name, value) in work.Extensions())
        {
            start[name] = value;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _ingress)
        {
            Content = start.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance),
        };
        request.Headers.Authorization = _sender;
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"The broker refused the start of workflow '{workflowId}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}

/// <summary>
/// One finished workflow: its state size, end-to-end latency (input write + start event → last completion at the
/// tracker), how long the input write took, when it started (<see cref="Stopwatch"/> ticks) and its stages in order.
/// </summary>
public sealed record WorkflowMeasurement(
    string WorkflowId,
    long StateBytes,
    double EndToEndMs,
    double InputWriteMs,
    long StartedAt,
    IReadOnlyList<StageReport> Stages);
