using CloudNative.CloudEvents;
using Skylark.Events.Lab.Replay;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// Replays recorded events (a shipped file under <c>Recordings/</c>, any JSON Lines file or a journal folder) into
/// a broker under test and waits until every delivery they caused has finished — delivered, dead-lettered or dropped,
/// replies included — so a test can assert on subscribers without polling or sleeping.
/// </summary>
public static class EventReplay
{
    /// <summary>Recording of the Skylark pipeline: camera frames, preprocess/detect completions, alarms, a text and a binary event.</summary>
    public const string Pipeline = "pipeline.jsonl";

    /// <summary>The path of a recording shipped with the tests.</summary>
    public static string Recording(string name) => RepositoryPaths.InRoot("tests", "Skylark.Events.Tests", "Recordings", name);

    /// <summary>The events of a shipped recording (or of any recording path), in order.</summary>
    public static IReadOnlyList<CloudEvent> Load(string recording) => [.. RecordedEvents.Read(Resolve(recording))];

    /// <summary>
    /// Sends every event of <paramref name="recording"/> to <paramref name="broker"/> in recorded order as fast as it
    /// takes them, then waits until the broker is idle. Fails unless every event was accepted.
    /// </summary>
    public static async Task<ReplaySummary> IntoAsync(BrokerHost broker, string recording, Func<ReplayOptions, ReplayOptions>? configure = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var options = new ReplayOptions(broker.BrokerUrl());
        options = configure?.Invoke(options) ?? options;
        var summary = await new EventReplayer(broker.Client).ReplayAsync(RecordedEvents.Read(Resolve(recording)), options);
        if (!summary.AllAccepted)
        {
            throw new InvalidOperationException($"The broker did not accept every replayed event:\n{summary}");
        }

        await broker.WaitUntilIdleAsync(timeout ?? TimeSpan.FromSeconds(10));
        return summary;
    }

    private static string Resolve(string recording) =>
        Path.IsPathRooted(recording) || File.Exists(recording) || Directory.Exists(recording) ? recording : Recording(recording);
}
