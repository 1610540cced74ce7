using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>All PingSources of a model at once, as the host runs them.</summary>
public sealed class PingSourceRunnerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 10, 7, 13, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new();
    private readonly HttpClient http = new();
    private readonly RecordingLogger logger = new();

    public PingSourceRunnerTests() => clock.SetUtcNow(Start);

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task Runs_every_source_to_its_own_sink_and_leaves_out_one_that_cannot_run()
    {
        await using var sinkA = await PingSink.StartAsync();
        await using var sinkB = await PingSink.StartAsync();
        var model = new EventingModel([], [],
        [
            PingSourceResources.Create("*/10 * * * * *", sinkA.Url, name: "a"),
            PingSourceResources.Create("broken", sinkA.Url, name: "bad"),
            PingSourceResources.Create("20 * * * * *", sinkB.Url, name: "b"),
        ]);
        using var runner = new PingSourceRunner(model, PingSourceResources.UriSinks, http, clock, new SingleLoggerFactory(logger));
        var due = new DateTimeOffset(2030, 1, 1, 10, 7, 20, TimeSpan.Zero);

        await runner.StartAsync(CancellationToken.None);
        await Task.WhenAll(runner.Schedulers.Select(s => SchedulerRun.WhenAsync(s, status => status.NextDue == due)));
        clock.SetUtcNow(due);
        var a = await sinkA.NextAsync();
        var b = await sinkB.NextAsync();
        await runner.StopAsync(CancellationToken.None);

        Assert.Equal(["skylark/a", "skylark/b"], runner.Schedulers.Select(s => s.Name));
        Assert.Equal("/apis/v1/namespaces/skylark/pingsources/a", a.Event.Source!.ToString());
        Assert.Equal("/apis/v1/namespaces/skylark/pingsources/b", b.Event.Source!.ToString());
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("skylark/bad", StringComparison.Ordinal));
        Assert.All(runner.Schedulers, s => Assert.Null(s.Status.NextDue));
    }

    [Fact]
    public async Task AddPingSources_runs_the_model_in_the_container_as_one_hosted_service()
    {
        await using var sink = await PingSink.StartAsync();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(new EventingModel([], [], [PingSourceResources.Create("*/10 * * * * *", sink.Url)]))
            .AddPingSources(PingSourceResources.UriSinks)
            .AddPingSources(PingSourceResources.UriSinks);
        await using var provider = services.BuildServiceProvider();
        var runner = provider.GetRequiredService<PingSourceRunner>();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        Assert.Same(runner, hosted);
        var due = new DateTimeOffset(2030, 1, 1, 10, 7, 20, TimeSpan.Zero);

        await hosted.StartAsync(CancellationToken.None);
        await SchedulerRun.WhenAsync(Assert.Single(runner.Schedulers), s => s.NextDue == due);
        clock.SetUtcNow(due);
        var ping = await sink.NextAsync();
        await hosted.StopAsync(CancellationToken.None);

        Assert.Equal(due, ping.Event.Time);
    }

    [Fact]
    public async Task The_shipped_statesink_sync_pings_the_statesink_service_every_minute()
    {
        await using var statesink = await PingSink.StartAsync();
        var model = ResourceLoader.Load([RepositoryPaths.InRoot("eventing")]);
        var statesinkService = new KReference("Service", "statesink", "skylark", "serving.knative.dev/v1");
        Uri Resolve(Destination destination) =>
            destination.Ref == statesinkService ? statesink.Url : throw new InvalidOperationException($"no address for {destination}");
        using var runner = new PingSourceRunner(model, Resolve, http, clock, new SingleLoggerFactory(logger));
        var scheduler = Assert.Single(runner.Schedulers);
        var nextMinute = new DateTimeOffset(2030, 1, 1, 10, 8, 0, TimeSpan.Zero);

        await runner.StartAsync(CancellationToken.None);
        await SchedulerRun.WhenAsync(scheduler, s => s.NextDue == nextMinute);
        clock.SetUtcNow(nextMinute);
        var ping = await statesink.NextAsync();
        await SchedulerRun.WhenAsync(scheduler, s => s.NextDue == nextMinute.AddMinutes(1) && s.Sent == 1);
        await runner.StopAsync(CancellationToken.None);

        Assert.Equal("dev.knative.sources.ping", ping.Event.Type);
        Assert.Equal("/apis/v1/namespaces/skylark/pingsources/statesink-sync", ping.Event.Source!.ToString());
        Assert.Equal("application/json", ping.ContentType);
        Assert.Equal("{\"task\":\"sync\"}"u8.ToArray(), ping.Body);
    }

    /// <summary>Sends every category's log to one recording logger.</summary>
    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
