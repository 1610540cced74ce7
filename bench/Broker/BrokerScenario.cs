using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Benchmarks.Broker;

/// <summary>The embedded broker with N matching Triggers delivering to an in-process Kestrel subscriber.</summary>
internal static class BrokerScenario
{
    public static async Task<RunningScenario> StartAsync(int triggers, BrokerBenchmarkOptions options, string? journal, CancellationToken ct)
    {
        var probe = new DeliveryProbe();
        var subscriber = await ScenarioDriver.StartAsync(app => app.MapPost("/t/{n}", (HttpContext context) =>
        {
            probe.OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        }), ct);

        var model = new EventingModel(
            [new BrokerResource(Meta(ScenarioDriver.BrokerName), null, new ResourceOrigin("bench", 0))],
            [.. Enumerable.Range(0, triggers).Select(n => new TriggerResource(
                Meta($"t{n}"), ScenarioDriver.BrokerName, null, [], new Destination(null, new Uri(subscriber.Url, $"/t/{n}")), null, new ResourceOrigin("bench", n + 1)))],
            []);

        var broker = await ScenarioDriver.StartAsync(
            app => app.MapBroker(),
            ct,
            services => services.AddBroker(o =>
            {
                o.Model = model;
                o.WorkersPerTrigger = options.WorkersPerTrigger ?? options.Concurrency;
                o.ShutdownDrainTimeout = TimeSpan.FromSeconds(5);
                o.Journal = journal is null ? null : new JournalOptions { Directory = journal };
            }));

        var name = journal is null ? $"broker, {triggers} trigger(s)" : $"broker + journal, {triggers} trigger(s)";
        return new RunningScenario(name, triggers, journal is not null, new Uri(broker.Url, $"/{ScenarioDriver.Namespace}/{ScenarioDriver.BrokerName}"), probe, [broker, subscriber]);
    }

    private static ResourceMeta Meta(string name) => new(name, ScenarioDriver.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>());
}
