namespace Skylark.Events.Benchmarks.Broker;

/// <summary>The broker with its durable journal on, in a fresh journal folder per run.</summary>
internal static class JournaledBrokerScenario
{
    // The folder is the caller's to make and delete: it has to outlive the broker writing to it, and go even when a run fails.
    public static Task<RunningScenario> StartAsync(int triggers, BrokerBenchmarkOptions options, string journal, CancellationToken ct) =>
        BrokerScenario.StartAsync(triggers, options, journal, ct);

    public static string NewDirectory(BrokerBenchmarkOptions options) =>
        Path.Combine(options.JournalDirectory ?? Path.GetTempPath(), "skylark-bench-journal-" + Guid.NewGuid().ToString("N"));

    public static void Delete(string? journal)
    {
        if (journal is not null && Directory.Exists(journal))
        {
            Directory.Delete(journal, recursive: true);
        }
    }
}
