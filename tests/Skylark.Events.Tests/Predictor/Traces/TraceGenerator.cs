using Skylark.Events.Contracts;
using Skylark.Events.Tests.Support;
using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Predictor.Traces;

/// <summary>
/// Generates the recorded traces under this folder, deterministically (fixed seeds, fixed epoch). The tests read the
/// committed files; <c>TraceFilesTests</c> checks they still equal this generator's output, and rewrites them when
/// <c>SKYLARK_REGENERATE_TRACES=1</c>. Every workflow is one camera frame; a completion's ground truth (<c>next</c>)
/// is the set of successor completions it led to, with their nodes.
/// </summary>
internal static class TraceGenerator
{
    /// <summary>Time of the first frame of every trace, and snapshot 0 of a rotating topology.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string Pipeline = "pipeline-three-nodes.jsonl";
    public const string Branching = "branching-workflow.jsonl";
    public const string PlacementChange = "placement-change.jsonl";
    public const string DatabeltOrbit = "databelt-orbit.jsonl";

    /// <summary>In <see cref="PlacementChange"/>, frames from this index on run detect on sat-2 instead of sat-1.</summary>
    public const int PlacementChangeFrame = 80;

    public static IReadOnlyDictionary<string, Func<string>> All { get; } = new Dictionary<string, Func<string>>
    {
        [Pipeline] = GeneratePipeline,
        [Branching] = GenerateBranching,
        [PlacementChange] = GeneratePlacementChange,
        [DatabeltOrbit] = GenerateDatabeltOrbit,
    };

    /// <summary>
    /// The shipped pipeline on topologies/three-nodes.yaml: 320 frames from 4 cameras every 50 ms (so workflows
    /// interleave); preprocess@edge → detect@sat → alarm@cloud when detected (10–50% depending on the camera).
    /// </summary>
    public static string GeneratePipeline()
    {
        var random = new TraceRandom(0x5eed_0001);
        var writer = new TraceWriter();
        var backgrounds = new Dictionary<string, string>();
        string[] cameras = ["cam-a", "cam-b", "cam-c", "cam-d"];
        double[] detection = [0.1, 0.3, 0.5, 0.05];
        for (var i = 0; i < 320; i++)
        {
            var camera = i % cameras.Length;
            ShippedPipelineFrame(
                writer, random, cameras[camera], i / cameras.Length, Epoch + TimeSpan.FromMilliseconds(i * 50),
                preprocessNode: "edge", detectNode: "sat", alarmNode: "cloud", detectionProbability: detection[camera], backgrounds);
        }

        return writer.ToJsonLines();
    }

    /// <summary>
    /// The shipped pipeline on two-satellites.yaml: 160 frames from 2 cameras every 100 ms; detect runs on sat-1
    /// until frame <see cref="PlacementChangeFrame"/>, then on sat-2 (a placement change).
    /// </summary>
    public static string GeneratePlacementChange()
    {
        var random = new TraceRandom(0x5eed_0003);
        var writer = new TraceWriter();
        var backgrounds = new Dictionary<string, string>();
        string[] cameras = ["cam-1", "cam-2"];
        for (var i = 0; i < 160; i++)
        {
            ShippedPipelineFrame(
                writer, random, cameras[i % 2], i / 2, Epoch + TimeSpan.FromMilliseconds(i * 100),
                preprocessNode: "edge", detectNode: i < PlacementChangeFrame ? "sat-1" : "sat-2", alarmNode: "cloud", detectionProbability: 0.2, backgrounds);
        }

        return writer.ToJsonLines();
    }

    /// <summary>
    /// The shipped pipeline on topologies/databelt-testbed.yaml (7 snapshots of 60 s) for two orbits: one camera
    /// ingested at pi5u2 every 3 s; detect runs on the satellite that has the ground link in the current snapshot,
    /// alarm in the cloud (pi5u1). Detect's node depends on the snapshot only.
    /// </summary>
    public static string GenerateDatabeltOrbit()
    {
        var random = new TraceRandom(0x5eed_0004);
        var writer = new TraceWriter();
        var backgrounds = new Dictionary<string, string>();
        var topology = TopologyLoader.Load(RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml"));
        var schedule = new SnapshotSchedule(topology, Epoch);
        var orbit = topology.SnapshotPeriod!.Value * topology.Snapshots.Count;
        var frames = (int)(2 * orbit / TimeSpan.FromSeconds(3));
        for (var i = 0; i < frames; i++)
        {
            var time = Epoch + TimeSpan.FromSeconds(3 * i);
            var groundLinked = schedule.At(time).Links.Single(l => l.A == "pi5u1" || l.B == "pi5u1").Other("pi5u1");
            ShippedPipelineFrame(
                writer, random, "cam-orbit", i, time,
                preprocessNode: "pi5u2", detectNode: groundLinked, alarmNode: "pi5u1", detectionProbability: 0.25, backgrounds);
        }

        return writer.ToJsonLines();
    }

    /// <summary>
    /// branching-triggers.yaml on branching-topology.yaml: 400 frames from 4 cameras every 40 ms. ingest@edge-N →
    /// classify@sat-N and enrich@edge-N; classify → archive always, notify for labels fire (15%) and smoke (10%),
    /// and audit, which the broker always invokes but which completes for only 3% of frames.
    /// </summary>
    public static string GenerateBranching()
    {
        var random = new TraceRandom(0x5eed_0002);
        var writer = new TraceWriter();
        for (var i = 0; i < 400; i++)
        {
            var camera = $"cam-{(i % 4) + 1}";
            var pair = (i % 4) < 2 ? 1 : 2;
            var edge = $"edge-{pair}";
            var sat = $"sat-{pair}";
            var workflow = $"{camera}-{i / 4:D5}";
            var time = Epoch + TimeSpan.FromMilliseconds(i * 40);

            var label = random.NextDouble() switch
            {
                < 0.15 => "fire",
                < 0.25 => "smoke",
                _ => "none",
            };
            var audited = random.Chance(0.03);

            var ingestAt = time + Jitter(random, 10, 3);
            var ingestOutput = new StateRef(edge, workflow, "ingest.frame");
            var ingestBytes = 50_000 + random.Next(0, 4_000);
            writer.Completion(
                "ingest", workflow, edge, camera, ingestAt, ingestOutput,
                [], [new(ingestOutput, ingestBytes)], 6.0, new { accepted = true },
                [new("classify", sat), new("enrich", edge)]);

            var enrichAt = ingestAt + Jitter(random, 20, 5);
            var enrichOutput = new StateRef(edge, workflow, "enrich.meta");
            writer.Completion(
                "enrich", workflow, edge, camera, enrichAt, enrichOutput,
                [new(ingestOutput, "local", ingestBytes)], [new(enrichOutput, 500)], 3.0, new { tags = 2 }, []);

            var classifyAt = ingestAt + Jitter(random, 35, 8);
            var classifyOutput = new StateRef(sat, workflow, "classify.labels");
            var classifyNext = new List<TraceSuccessor> { new("archive", "cloud") };
            if (label is "fire" or "smoke")
            {
                classifyNext.Add(new("notify", "cloud"));
            }

            if (audited)
            {
                classifyNext.Add(new("audit", "cloud"));
            }

            writer.Completion(
                "classify", workflow, sat, camera, classifyAt, classifyOutput,
                [new(ingestOutput, "remote", ingestBytes), new(new StateRef(sat, $"camera-{camera}", "classify.model"), "local", 1_000_000)],
                [new(classifyOutput, 400)],
                18.0,
                new { label },
                classifyNext,
                ("label", label));

            var offset = 50;
            foreach (var successor in classifyNext)
            {
                var at = classifyAt + Jitter(random, offset, 10);
                var output = new StateRef("cloud", workflow, $"{successor.Function}.out");
                writer.Completion(
                    successor.Function, workflow, "cloud", camera, at, output,
                    [new(classifyOutput, "remote", 400)], [new(output, 200)], 4.0, new { ok = true }, []);
                offset += 5;
            }
        }

        return writer.ToJsonLines();
    }

    /// <summary>One frame through preprocess → detect → alarm (when detected), with the bundles the real functions use.</summary>
    private static void ShippedPipelineFrame(
        TraceWriter writer,
        TraceRandom random,
        string camera,
        int seq,
        DateTimeOffset frameTime,
        string preprocessNode,
        string detectNode,
        string alarmNode,
        double detectionProbability,
        Dictionary<string, string> backgroundNodes)
    {
        var workflow = $"{camera}-{seq:D5}";
        var stream = $"camera-{camera}";
        var detected = random.Chance(detectionProbability);

        var preprocessAt = frameTime + Jitter(random, 15, 5);
        var frameRef = new StateRef(preprocessNode, workflow, "camera.frame");
        var preprocessOutput = new StateRef(preprocessNode, workflow, "preprocess.frame");
        var preprocessBytes = 76_800 + random.Next(0, 2_000);
        writer.Completion(
            "preprocess", workflow, preprocessNode, camera, preprocessAt, preprocessOutput,
            [new(frameRef, "local", 60_000 + random.Next(0, 5_000))],
            [new(preprocessOutput, preprocessBytes)],
            9.0,
            new { width = 320, height = 240 },
            [new("detect", detectNode)]);

        var detectAt = preprocessAt + Jitter(random, 40, 10);
        var background = new StateRef(detectNode, stream, "detect.background");
        var detectOutput = new StateRef(detectNode, workflow, "detect.result");
        // Detect reads its model on its own node: absent on a node it has not run on for this camera before.
        var backgroundSource = backgroundNodes.GetValueOrDefault(camera) == detectNode ? "local" : "absent";
        backgroundNodes[camera] = detectNode;
        writer.Completion(
            "detect", workflow, detectNode, camera, detectAt, detectOutput,
            [
                new(preprocessOutput, detectNode == preprocessNode ? "local" : "remote", preprocessBytes),
                new(background, backgroundSource, 384_024),
                new(new StateRef(detectNode, stream, "detect.settings"), "absent", 0),
            ],
            [new(background, 384_024), new(detectOutput, 300 + random.Next(0, 200))],
            31.0,
            new { camera, detected },
            detected ? [new("alarm", alarmNode)] : [],
            ("detected", detected ? "true" : "false"));

        if (!detected)
        {
            return;
        }

        var alarmAt = detectAt + Jitter(random, 45, 10);
        var alarmState = new StateRef(alarmNode, stream, "alarm.state");
        var alarmOutput = new StateRef(alarmNode, workflow, "alarm.notice");
        var alarmStateSource = backgroundNodes.GetValueOrDefault(camera + "/alarm") == alarmNode ? "local" : "absent";
        backgroundNodes[camera + "/alarm"] = alarmNode;
        writer.Completion(
            "alarm", workflow, alarmNode, camera, alarmAt, alarmOutput,
            [new(detectOutput, "remote", 400), new(alarmState, alarmStateSource, 200)],
            [new(alarmState, 200), new(alarmOutput, 150)],
            5.0,
            new { raised = true },
            []);
    }

    private static TimeSpan Jitter(TraceRandom random, int meanMs, int spreadMs) =>
        TimeSpan.FromMilliseconds(meanMs - spreadMs + random.Next(0, (2 * spreadMs) + 1));
}
