using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Skylark.Events.Benchmarks.Broker;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Benchmarks;

/// <summary>
/// Measures the embedded broker against the loopback ceiling, all in this process on 127.0.0.1: a bare Kestrel
/// endpoint that only answers 202; a minimal relay that answers 202 and forwards the request's body and <c>ce-</c>
/// headers to a subscriber (two HTTP exchanges per event and nothing else: the ceiling of any design that, like
/// Knative's, takes an event in over HTTP and delivers it over HTTP); the broker with 1 and 10 matching Triggers
/// delivering to an in-process Kestrel subscriber; and the broker with its durable journal on (a fresh journal in a
/// temporary folder), the broker verifying every sender's bearer token (ES256, keys from a key set file) and
/// applying an EventPolicy to every event, and the broker recording its spans in a trace store as <c>skylark up</c> does. Same client, same concurrency, same events; a warm-up then N measured
/// repetitions each.
/// </summary>
/// <remarks>
/// The bare endpoint, the relay, the 1-Trigger broker, the 1-Trigger broker with its journal and the one with sender
/// identity give the headline ratios, so they run side by side: all started, each warmed, then their repetitions taken
/// in turn (bare, relay, broker, broker + journal, broker + sender identity, traced broker, bare, …). Measured one after the other, the bare endpoint's median swung between 35k and
/// 66k events/s from run to run on this shared machine while the others held steady, and a block measured in a slow
/// spell decided the ratio.
/// </remarks>
public static class BrokerBenchmark
{
    /// <summary>The trigger counts measured one scenario at a time after the side-by-side ones (plain, then with a journal).</summary>
    private static List<int> Alone(BrokerBenchmarkOptions options) =>
        [.. options.TriggerCounts.Where(t => t != 1), .. options.JournalTriggerCounts.Where(t => t != 1)];

    private static async Task SayAsync(TextWriter? progress, StepProgress? steps, string what)
    {
        if (progress is not null && steps is not null)
        {
            await progress.WriteLineAsync($"  {steps.Step()} {what}");
        }
    }

    /// <summary>Runs every scenario; with a <c>progress</c> writer, says after each side-by-side repetition how many are left and about how long they take.</summary>
    public static async Task<BrokerBenchmarkReport> RunAsync(BrokerBenchmarkOptions options, CancellationToken ct, TextWriter? progress = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var payload = ScenarioDriver.Payload(options.PayloadBytes);
        using var client = ScenarioDriver.CreateClient(options.Concurrency);

        BenchmarkScenario bare;
        BenchmarkScenario relay;
        var broker = new List<BenchmarkScenario>();
        StepProgress? steps = null;
        var durableJournal = options.JournalTriggerCounts.Contains(1) ? JournaledBrokerScenario.NewDirectory(options) : null;
        var identityKeys = options.TriggerCounts.Contains(1) ? Directory.CreateTempSubdirectory("skylark-bench-identity-").FullName : null;
        try
        {
            await using var bareRun = await BareEndpointScenario.StartAsync(ct);
            await using var relayRun = await MinimalRelayScenario.StartAsync(options, ct);
            await using var oneTriggerRun = options.TriggerCounts.Contains(1) ? await BrokerScenario.StartAsync(1, options, journal: null, ct) : null;
            await using var durableRun = durableJournal is null ? null : await JournaledBrokerScenario.StartAsync(1, options, durableJournal, ct);
            await using var identifiedRun = identityKeys is null
                ? null
                : await BrokerScenario.StartAsync(1, options, journal: null, ct, SenderIdentitySetup.Create(identityKeys));
            await using var tracedRun = options.TriggerCounts.Contains(1)
                ? await BrokerScenario.StartAsync(1, options, journal: null, ct, tracing: new ScenarioTracing(TraceStore.DefaultNewTracesPerSecond))
                : null;
            await using var everyTraceRun = options.TriggerCounts.Contains(1)
                ? await BrokerScenario.StartAsync(1, options, journal: null, ct, tracing: new ScenarioTracing(TracesPerSecond: null))
                : null;
            RunningScenario?[] brokers = [oneTriggerRun, durableRun, identifiedRun, tracedRun, everyTraceRun];
            List<RunningScenario> sideBySide = [bareRun, relayRun, .. brokers.OfType<RunningScenario>()];
            foreach (var scenario in sideBySide)
            {
                await ScenarioDriver.WarmUpAsync(scenario, client, payload, options, ct);
            }

            // Counted from after the warm-up: the repetitions are alike, the warm-up is not one of them. The scenarios
            // measured alone afterwards count one step each.
            steps = new StepProgress("broker", options.Repetitions + Alone(options).Count, time ?? TimeProvider.System);
            for (var rep = 1; rep <= options.Repetitions; rep++)
            {
                foreach (var scenario in sideBySide)
                {
                    await scenario.MeasureAsync(client, payload, rep, options.Events, options.Concurrency, ct);
                }

                await SayAsync(progress, steps, $"repetition {rep} of every scenario side by side");
            }

            bare = bareRun.Result();
            relay = relayRun.Result();
            broker.AddRange(brokers.OfType<RunningScenario>().Select(run => run.Result()));
        }
        finally
        {
            JournaledBrokerScenario.Delete(durableJournal);
            JournaledBrokerScenario.Delete(identityKeys);
        }

        foreach (var triggers in options.TriggerCounts.Where(t => t != 1))
        {
            await using var run = await BrokerScenario.StartAsync(triggers, options, journal: null, ct);
            broker.Add(await ScenarioDriver.MeasureAloneAsync(run, client, payload, options, ct));
            await SayAsync(progress, steps, $"broker with {triggers} triggers, alone");
        }

        foreach (var triggers in options.JournalTriggerCounts.Where(t => t != 1))
        {
            var journal = JournaledBrokerScenario.NewDirectory(options);
            try
            {
                await using var run = await JournaledBrokerScenario.StartAsync(triggers, options, journal, ct);
                broker.Add(await ScenarioDriver.MeasureAloneAsync(run, client, payload, options, ct));
                await SayAsync(progress, steps, $"broker + journal with {triggers} triggers, alone");
            }
            finally
            {
                JournaledBrokerScenario.Delete(journal);
            }
        }

        return new BrokerBenchmarkReport(started, clock.Elapsed, Machine(), options, bare, broker, relay);
    }

    private static BenchmarkMachine Machine() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        GCSettings.IsServerGC,
#if DEBUG
        "Debug");
#else
        "Release");
#endif
}
