using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skylark.Events.Lab.Demo;

/// <summary>
/// The report <c>skylark demo --report</c> writes (field names are a contract: docs/contracts.md). Latencies are end to
/// end per workflow (frame capture → the reply that ends it), in ms; null when no workflow finished. <c>readWaitMs</c>
/// is, per finished workflow, how long its functions waited for the state they read, in total. <c>alarms</c> counts
/// <c>io.skylark.alarm.raised</c> events, <c>alarmsOnMqtt</c> the notices an operator subscribed to <c>alarms/#</c> received.
/// </summary>
public sealed record DemoReport(
    string Mode,
    string Topology,
    string Serving,
    double DurationSeconds,
    int Cameras,
    double Fps,
    long Frames,
    WorkflowCounts Workflows,
    LatencySummaryMs LatencyMs,
    LatencySummaryMs ReadWaitMs,
    StateReadCounts StateReads,
    PredictionSummary Prediction,
    BytesMoved BytesMoved,
    DetectionSummary Detection,
    long Alarms,
    long AlarmsOnMqtt,
    long DeadLetters)
{
    /// <summary>The faults injected during the run and how long each took to recover and settle; empty when none was.</summary>
    public IReadOnlyList<FaultOutcome> Faults { get; init; } = [];

    /// <summary>Frames the cameras' MQTT server acknowledged: each is owed an outcome.</summary>
    public long FramesAcknowledged { get; init; }

    /// <summary>Acknowledged frames with no outcome (no workflow of theirs completed or was dead-lettered) when the run ended.</summary>
    public long FramesLost { get; init; }

    /// <summary>Relaxed escaping so link names read <c>"a->b"</c> rather than <c>"a-\u003Eb"</c>; the file is never embedded in HTML.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <exception cref="JsonException">The file is not a report.</exception>
    public static async Task<DemoReport> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<DemoReport>(file, Json, cancellationToken)
            ?? throw new JsonException($"{path} holds no demo report.");
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(file, this, Json, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }
}

/// <param name="Started">Frames that became workflows.</param>
/// <param name="Completed">Workflows whose last function replied.</param>
/// <param name="Failed">Workflows with an event dead-lettered.</param>
/// <param name="Unfinished">Still running when the drain timeout passed.</param>
public sealed record WorkflowCounts(long Started, long Completed, long Failed, long Unfinished);

public sealed record LatencySummaryMs(double? P50, double? P95, double? P99, double? Mean, double? Max, int Samples)
{
    /// <summary>
    /// The 0th to 100th percentiles (nearest rank, 101 values; empty without samples): the distribution for a CDF plot,
    /// bounded however long the run was.
    /// </summary>
    public IReadOnlyList<double> Quantiles { get; init; } = [];

    public static LatencySummaryMs Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new(null, null, null, null, null, 0);
        }

        var sorted = samples.Order().ToArray();
        return new(
            Round(Percentile(sorted, 0.50)),
            Round(Percentile(sorted, 0.95)),
            Round(Percentile(sorted, 0.99)),
            Round(sorted.Average()),
            Round(sorted[^1]),
            sorted.Length)
        {
            Quantiles = [.. Enumerable.Range(0, 101).Select(p => Round(p == 0 ? sorted[0] : Percentile(sorted, p / 100.0)))],
        };
    }

    /// <summary>Nearest-rank percentile: a value that was actually observed.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double Round(double value) => Math.Round(value, 1);
}

/// <summary>Reads of required and optional bundles by where they were found; absent optional bundles are not counted.</summary>
public sealed record StateReadCounts(long Local, long Waited, long Remote)
{
    /// <summary>Share of reads that did not wait for a transfer they started themselves: local or waited (null before any read).</summary>
    [JsonPropertyName("localRatio")]
    public double? LocalRatio => Local + Waited + Remote == 0 ? null : Math.Round((double)(Local + Waited) / (Local + Waited + Remote), 4);
}

/// <param name="Accuracy">Share of successors that ran on the node the Predictor chose (null: no Predictor, or nothing checked).</param>
/// <param name="NextFunctionAccuracy">Share of completions whose next functions were predicted exactly.</param>
/// <param name="Propagations">Propagate commands the broker accepted.</param>
/// <param name="PropagatedBytes">Bundle bytes those commands moved.</param>
/// <param name="SentAhead">Propagate commands planned for an output not written yet (<c>awaitWrite</c>, one step ahead).</param>
public sealed record PredictionSummary(double? Accuracy, double? NextFunctionAccuracy, long Propagations, long PropagatedBytes, long SentAhead);

/// <param name="Total">Bytes that entered the emulated network (once per transfer): <paramref name="State"/> + <paramref name="Control"/>.</param>
/// <param name="Wasted">
/// State bytes beyond those the functions read from another node: moved where nobody read them, or twice (plus protocol
/// overhead). Null in central mode, where every write crosses a link by design.
/// </param>
/// <param name="State">Bundle bytes: pulls between nodes and reads and writes of a store across a link.</param>
/// <param name="Control">Event bytes: ingress, deliveries and replies, propagate commands, sync pings (0 with an instant control plane).</param>
/// <param name="PerLink">State bytes carried per directed physical link, keyed <c>from-&gt;to</c> (a multi-hop transfer counts on every hop).</param>
/// <param name="ControlPerLink">Event bytes per directed physical link, keyed like <paramref name="PerLink"/>.</param>
public sealed record BytesMoved(long Total, long State, long Control, long? Wasted, IReadOnlyDictionary<string, long> PerLink, IReadOnlyDictionary<string, long> ControlPerLink);

/// <param name="Precision">Of detected boxes, the share that matched a true object (null: nothing scored).</param>
/// <param name="Recall">Of true objects, the share that was detected.</param>
/// <param name="FramesScored">Frames scored (the background model's warm-up frames are not).</param>
public sealed record DetectionSummary(double? Precision, double? Recall, int FramesScored);
