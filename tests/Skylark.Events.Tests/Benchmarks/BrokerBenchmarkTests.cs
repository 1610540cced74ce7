using Skylark.Events.Benchmarks;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Benchmarks;

/// <summary>
/// The broker benchmark on a tiny profile: the scenarios it measures side by side and the ratios the summary takes
/// from them. No throughput is asserted beyond being measured.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class BrokerBenchmarkTests : IAsyncLifetime
{
    private readonly ScratchDirectory _journals = new();
    private BrokerBenchmarkReport _report = null!;

    public async Task InitializeAsync() =>
        _report = await BrokerBenchmark.RunAsync(
            new BrokerBenchmarkOptions
            {
                Events = 400,
                Repetitions = 2,
                Concurrency = 4,
                WarmupEvents = 200,
                WarmupDuration = TimeSpan.Zero,
                TriggerCounts = [1],
                JournalTriggerCounts = [1],
                JournalDirectory = _journals.Path,
            },
            CancellationToken.None);

    public Task DisposeAsync()
    {
        _journals.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Bare_relay_broker_durable_broker_identified_broker_and_traced_broker_are_all_measured_every_repetition()
    {
        Assert.Equal(
            [(1, false, false, false, null), (1, true, false, false, null), (1, false, true, false, null), (1, false, false, true, TraceStore.DefaultNewTracesPerSecond), (1, false, false, true, (double?)null)],
            _report.Broker.Select(b => (b.Triggers, b.Journaled, b.Verified, b.Traced, b.TracesPerSecond)));
        Assert.All(
            _report.Broker.Append(_report.BareEndpoint).Append(_report.MinimalRelay),
            scenario =>
            {
                Assert.Equal(2, scenario.Repetitions.Count);
                Assert.All(scenario.Repetitions, r => Assert.True(r.EventsPerSecond > 0, $"{scenario.Name}: {r.EventsPerSecond} events/s"));
            });
        Assert.Empty(Directory.EnumerateFileSystemEntries(_journals.Path));
    }

    [Fact]
    public void The_summary_ratios_divide_the_medians_measured_side_by_side()
    {
        var broker = _report.Broker.Single(b => !b.Journaled && !b.Verified && !b.Traced).EventsPerSecond.Median;
        var durable = _report.Broker.Single(b => b.Journaled).EventsPerSecond.Median;
        var identified = _report.Broker.Single(b => b.Verified).EventsPerSecond.Median;
        var traced = _report.Broker.Single(b => b.Traced && b.TracesPerSecond is not null).EventsPerSecond.Median;
        var everyTrace = _report.Broker.Single(b => b.Traced && b.TracesPerSecond is null).EventsPerSecond.Median;
        Assert.Equal(broker / _report.MinimalRelay.EventsPerSecond.Median, _report.OneTriggerVsRelayRatio, 9);
        Assert.Equal(durable / broker, _report.DurableVsOneTriggerRatio, 9);
        Assert.Equal(broker / _report.BareEndpoint.EventsPerSecond.Median, _report.OneTriggerThroughputRatio, 9);
        Assert.Equal(identified / broker, _report.IdentifiedVsOneTriggerRatio, 9);
        Assert.Equal(traced / broker, _report.TracedVsOneTriggerRatio, 9);
        Assert.Equal(everyTrace / broker, _report.EveryTraceVsOneTriggerRatio, 9);
        Assert.All(
            [_report.OneTriggerVsRelayRatio, _report.DurableVsOneTriggerRatio, _report.OneTriggerThroughputRatio, _report.IdentifiedVsOneTriggerRatio, _report.TracedVsOneTriggerRatio, _report.EveryTraceVsOneTriggerRatio],
            r => Assert.True(double.IsFinite(r) && r > 0, $"{r}"));
    }

    [Fact]
    public void Only_the_traced_brokers_record_spans_and_only_the_sampled_one_leaves_traces_out()
    {
        var sampled = _report.Broker.Single(b => b.Traced && b.TracesPerSecond is not null);
        var every = _report.Broker.Single(b => b.Traced && b.TracesPerSecond is null);
        Assert.True(sampled.TracesKept > 0, "the sampled broker kept no trace");
        Assert.True(every.TracesKept > 0, "the broker recording every trace kept none");
        Assert.Equal(0, every.TracesNotSampled);
        Assert.All(_report.Broker.Where(b => !b.Traced), b => Assert.Equal(0, b.TracesKept));
    }
}
