using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Benchmarks.Broker;

/// <summary>The embedded broker with N matching Triggers delivering to an in-process Kestrel subscriber.</summary>
internal static class BrokerScenario
{
    // identity: when set, the broker verifies senders against its key set and policy, and the senders present its token.
    // tracing: its repetitions are measured with a trace store listening, as skylark up has one, sampling at that rate.
    public static async Task<RunningScenario> StartAsync(
        int triggers, BrokerBenchmarkOptions options, string? journal, CancellationToken ct, SenderIdentitySetup? identity = null, ScenarioTracing? tracing = null)
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
            [])
        {
            EventPolicies = identity is null ? [] : [identity.Policy],
        };

        var broker = await ScenarioDriver.StartAsync(
            app => app.MapBroker(),
            ct,
            services => services.AddBroker(o =>
            {
                o.Model = model;
                o.WorkersPerTrigger = options.WorkersPerTrigger ?? options.Concurrency;
                o.ShutdownDrainTimeout = TimeSpan.FromSeconds(5);
                o.Journal = journal is null ? null : new JournalOptions { Directory = journal };
                if (identity is not null)
                {
                    o.Verification.Issuer = identity.Issuer;
                    o.Verification.KeySetFile = identity.KeySetFile;
                }
            }));

        var name = (journal, identity) switch
        {
            (null, null) when tracing is { TracesPerSecond: { } rate } => $"broker, traced <= {rate:0}/s, {triggers} trigger(s)",
            (null, null) when tracing is not null => $"broker, every trace, {triggers} trigger(s)",
            (null, null) => $"broker, {triggers} trigger(s)",
            (null, _) => $"broker + sender identity, {triggers} trigger(s)",
            _ => $"broker + journal, {triggers} trigger(s)",
        };
        return new RunningScenario(name, triggers, journal is not null, new Uri(broker.Url, $"/{ScenarioDriver.Namespace}/{ScenarioDriver.BrokerName}"), probe, [broker, subscriber])
        {
            BearerToken = identity?.Token,
            Verified = identity is not null,
            Tracing = tracing,
        };
    }

    private static ResourceMeta Meta(string name) => new(name, ScenarioDriver.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>());
}
