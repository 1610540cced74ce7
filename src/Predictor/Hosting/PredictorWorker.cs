using System.Diagnostics;
using Microsoft.Extensions.Options;
using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Predictor.Planning;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>
/// Decides on queued completions one at a time, in arrival order, with the configured <see cref="IPropagationPolicy"/>
/// (<see cref="PredictorOptions.Policy"/>), and sends the resulting propagate commands.
/// Also resolves steps whose successors never came when traffic is idle. On shutdown it stops accepting, then
/// finishes what was already accepted (202 promised it would be looked at).
/// </summary>
public sealed partial class PredictorWorker : BackgroundService
{
    private readonly CompletionQueue _queue;
    private readonly IPropagationPolicy _policy;
    private readonly PropagateSender _sender;
    private readonly PredictorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Each decision on a completion is a span; the commands it sends carry its context.</summary>
    internal static readonly ActivitySource Tracing = new(CloudEventTracing.SourcePrefix + "Predictor");

    public PredictorWorker(
        CompletionQueue queue,
        IPropagationPolicy policy,
        PropagateSender sender,
        IOptions<PredictorOptions> options,
        TimeProvider time,
        ILogger<PredictorWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _queue = queue;
        _policy = policy;
        _sender = sender;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();

        // Drain with sends allowed until the host's shutdown timeout, not just until the stop signal.
        await using var registration = cancellationToken.Register(_abort.Cancel).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ProcessAsync(), SweepAsync(stoppingToken));

    private async Task ProcessAsync()
    {
        try
        {
            await foreach (var completion in _queue.Reader.ReadAllAsync(_abort.Token).ConfigureAwait(false))
            {
                await ProcessAsync(completion).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            LogAbandoned(_queue.Count);
        }
    }

    private async Task ProcessAsync(Completion completion)
    {
        using var span = Tracing.HasListeners()
            ? CloudEventTracing.StartActivity(Tracing, $"decide {completion.Function}", ActivityKind.Internal, completion.Event, _options.Node)
            : null;
        span?.SetTag(CloudEventTracing.FunctionTag, completion.Function);
        PredictionDecision decision;
        try
        {
            decision = _policy.Observe(completion);
        }
#pragma warning disable CA1031 // one bad decision must not stop the Predictor; it is logged with the event id
        catch (Exception e)
#pragma warning restore CA1031
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            LogDecisionFailed(e, completion.Id, completion.Function);
            return;
        }

        span?.SetTag("skylark.predictor.commands", decision.Commands.Count);
        LogDecided(completion.Function, completion.WorkflowId, completion.Node, decision.Commands.Count, decision.DecisionTime.TotalMicroseconds);
        foreach (var command in decision.Commands)
        {
            await _sender.SendAsync(command, span, completion.Event, _abort.Token).ConfigureAwait(false);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        // Steps fall due no sooner than MinOutcomeWindow after their completion; checking that often keeps the
        // accuracy metric current when traffic stops.
        using var timer = new PeriodicTimer(_options.MinOutcomeWindow, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _policy.Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Function} completed on {Node} for {WorkflowId}: {Commands} propagate command(s) in {Microseconds} µs")]
    private partial void LogDecided(string function, string workflowId, string node, int commands, double microseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deciding on completion {EventId} of {Function} failed")]
    private partial void LogDecisionFailed(Exception error, string eventId, string function);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown timed out with {Count} accepted completion(s) not decided on")]
    private partial void LogAbandoned(int count);
}
