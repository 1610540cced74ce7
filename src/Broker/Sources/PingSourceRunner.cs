using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Broker.Sources;

/// <summary>
/// Runs every PingSource of an <see cref="EventingModel"/>, each on its own schedule. A source that cannot run
/// (invalid schedule, time zone or dataBase64) is logged and left out; the others run regardless.
/// </summary>
public sealed class PingSourceRunner : BackgroundService
{
    private readonly ILogger<PingSourceRunner> logger;

    /// <summary>
    /// Prepares a scheduler per source. The sink resolver turns a source's <c>spec.sink</c> into the URL to post to;
    /// it is called for every event, so it may follow addresses that change while the host runs, and an exception
    /// from it fails that one event. <paramref name="tokens"/> gives the pings to a sink with an audience their token.
    /// </summary>
    public PingSourceRunner(
        EventingModel model,
        Func<Destination, Uri> resolveSink,
        HttpClient http,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        PingSourceOptions? options = null,
        Delivery.DeliveryTokens? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(resolveSink);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);

        logger = loggerFactory.CreateLogger<PingSourceRunner>();
        var schedulerLogger = loggerFactory.CreateLogger<PingSourceScheduler>();
        var schedulers = new List<PingSourceScheduler>();
        foreach (var source in model.PingSources)
        {
            try
            {
                schedulers.Add(new PingSourceScheduler(source, resolveSink, http, time, schedulerLogger, options, tokens));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                PingSourceLog.CannotRun(logger, e, $"{source.Meta.Namespace}/{source.Meta.Name}", source.Origin.ToString());
            }
        }

        Schedulers = schedulers;
    }

    public IReadOnlyList<PingSourceScheduler> Schedulers { get; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PingSourceLog.Running(logger, Schedulers.Count);
        return Task.WhenAll(Schedulers.Select(s => s.RunAsync(stoppingToken)));
    }
}
