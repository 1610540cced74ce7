using System.Runtime.CompilerServices;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Functions.Preprocess.Imaging;
using Skylark.Events.Lab.Cameras;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Hosting;

using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Lab.Dashboard;

/// <summary>
/// The live dashboard of a run (<c>skylark up</c>, <c>skylark demo</c>): a page that draws the topology and the run's
/// figures, and the JSON it reads: <c>GET /api/topology</c>, <c>GET /api/snapshot</c>, <c>GET /api/events</c> (one
/// snapshot a second as server-sent events) and <c>GET /api/traces/{workflowId}</c>. The page's HTML, CSS and JS are
/// embedded in this assembly and use no third-party code, so it works without network access.
/// </summary>
public static class DashboardApp
{
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(200);

    private static readonly Dictionary<string, (string Resource, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/dashboard.css"] = ("dashboard.css", "text/css; charset=utf-8"),
        ["/dashboard.js"] = ("dashboard.js", "text/javascript; charset=utf-8"),
    };

    /// <summary>
    /// The dashboard's services; <paramref name="traces"/> null serves the attached run's <see cref="DashboardFeed.RunTraces"/>,
    /// and what the observer saw (<see cref="ObservedWorkflowTraces"/>) for a workflow they do not have.
    /// </summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, DashboardFeed feed, IWorkflowTraceSource? traces = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(feed);
        services.AddSingleton(feed);
        services.AddSingleton(traces ?? new AttachedRunTraces(feed));
        services.AddSingleton(new DashboardClock(timeProvider ?? TimeProvider.System));
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var (path, (resource, contentType)) in Assets)
        {
            var bytes = ReadAsset(resource);
            endpoints.MapGet(path, () => Results.Bytes(bytes, contentType));
        }

        endpoints.MapGet("/api/topology", (DashboardFeed feed) =>
            feed.Topology() is { } topology
                ? Results.Json(topology, DashboardFeed.Json)
                : Results.Problem("The cluster is still starting.", statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/api/snapshot", (DashboardFeed feed) => Results.Text(feed.Current, "application/json"));
        endpoints.MapGet("/api/events", (DashboardFeed feed, DashboardClock clock, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Snapshots(feed, clock.Time, lifetime.ApplicationStopping, cancellationToken)));
        endpoints.MapGet("/api/traces/{workflowId}", async (string workflowId, IWorkflowTraceSource traces, CancellationToken cancellationToken) =>
            await traces.FindAsync(workflowId, cancellationToken) is { } trace
                ? Results.Json(trace, DashboardFeed.Json)
                : Results.NotFound());
        return endpoints;
    }

    /// <summary>
    /// Starts the dashboard as its own web app on 127.0.0.1 and its feed's once-a-second snapshots;
    /// <paramref name="mapMore"/> adds endpoints beside it (<c>skylark up</c> receives the observer's Trigger there).
    /// </summary>
    public static async Task<DashboardHost> StartAsync(
        DashboardFeed feed,
        IWorkflowTraceSource? traces = null,
        Action<WebApplication>? mapMore = null,
        int port = 0,
        LogLevel minimumLogLevel = LogLevel.Warning,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var app = await LocalWebApp.StartAsync(
            "dashboard",
            services => services.AddDashboard(feed, traces, timeProvider),
            web =>
            {
                web.MapDashboard();
                mapMore?.Invoke(web);
            },
            port,
            minimumLogLevel,
            cancellationToken);
        return new DashboardHost(app, feed);
    }

    /// <summary>
    /// Starts a dashboard with its own <see cref="WorkflowObserver"/> at <c>/observe</c>, for <c>skylark up</c>: add
    /// <see cref="DashboardHost.ObserverTrigger"/> to the cluster's Triggers, then <see cref="DashboardFeed.Attach(Up.IUpCluster)"/> the
    /// cluster once it is up. Its cameras are not simulated here, so detections are not scored.
    /// </summary>
    /// <param name="eventingPath">The pipeline the observer follows workflows through.</param>
    /// <param name="traces">The spans the run's services record, served before what the observer saw; null without.</param>
    /// <param name="minimumLogLevel">Least severe log entry the app writes.</param>
    /// <param name="receiveTraces">
    /// Also receive OTLP/HTTP spans into <paramref name="traces"/> at <c>/v1/traces</c>
    /// (<see cref="OtlpTraceReceiver"/>), for services running as their own processes to export to the dashboard's URL.
    /// </param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<DashboardHost> StartObservingAsync(
        string eventingPath, TraceStore? traces, LogLevel minimumLogLevel, bool receiveTraces, CancellationToken cancellationToken)
    {
        if (receiveTraces && traces is null)
        {
            throw new ArgumentException("Receiving spans needs a store to keep them in.", nameof(traces));
        }

        var preprocess = PreprocessSettings.Default;
        var scene = new SyntheticSceneOptions();
        var observer = new WorkflowObserver(
            DemoRun.FunctionTriggers(ResourceLoader.Load([eventingPath])),
            (_, _) => null,
            new DetectionScorer(scene.Width, scene.Height, preprocess.TargetWidth, preprocess.TargetHeight));
        var feed = new DashboardFeed(observer);
        var host = await StartAsync(
            feed,
            traces is null ? null : new StoredWorkflowTraces(traces, new ObservedWorkflowTraces(feed)),
            web =>
            {
                observer.Map(web, "/observe");
                if (receiveTraces)
                {
                    web.MapOtlpTraces(traces!);
                }
            },
            minimumLogLevel: minimumLogLevel,
            cancellationToken: cancellationToken);
        host.ObserverTrigger = DemoRun.ObserverTriggerFor(new Uri(host.Url, "observe"));
        return host;
    }

    private static async IAsyncEnumerable<string> Snapshots(
        DashboardFeed feed, TimeProvider time, CancellationToken stopping, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        // The feed makes one snapshot a second; a client gets each once, the current one as soon as it connects. The
        // stream ends when the app stops, so an open browser tab does not hold up the end of a run.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestAborted);
        var cancellationToken = linked.Token;
        var sent = -1L;
        while (!cancellationToken.IsCancellationRequested)
        {
            var ticks = feed.Ticks;
            if (ticks != sent)
            {
                sent = ticks;
                yield return feed.Current;
            }

            try
            {
                await Task.Delay(EventPoll, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static byte[] ReadAsset(string name)
    {
        var assembly = typeof(DashboardApp).Assembly;
        using var stream = assembly.GetManifestResourceStream("Skylark.Events.Lab.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in {assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The time the event stream paces itself by (a test's fake clock, or the system's).</summary>
    internal sealed record DashboardClock(TimeProvider Time);
}

/// <summary>The spans of whichever run is attached to the feed now (a comparison attaches one run per mode).</summary>
internal sealed class AttachedRunTraces(DashboardFeed feed) : IWorkflowTraceSource
{
    private readonly ObservedWorkflowTraces _observed = new(feed);

    public Task<TraceView?> FindAsync(string workflowId, CancellationToken cancellationToken) =>
        feed.RunTraces?.Find(workflowId) is { } trace ? Task.FromResult<TraceView?>(trace) : _observed.FindAsync(workflowId, cancellationToken);
}

/// <summary>A running dashboard: its URL and the feed's snapshot loop, both stopped on dispose.</summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private readonly LocalWebApp _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticking;

    internal DashboardHost(LocalWebApp app, DashboardFeed feed)
    {
        _app = app;
        Feed = feed;
        _ticking = feed.RunAsync(_stop.Token);
    }

    public Uri Url => _app.Url;

    public DashboardFeed Feed { get; }

    /// <summary>The Trigger that delivers a run's workflow events to this dashboard's observer; null when the observer is elsewhere.</summary>
    public TriggerResource? ObserverTrigger { get; internal set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _ticking;
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
