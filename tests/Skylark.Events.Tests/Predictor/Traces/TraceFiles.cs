using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents.SystemTextJson;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Predictor.Traces;

/// <summary>The recorded traces and the fixtures they were recorded against.</summary>
internal static class TraceFiles
{
    private static readonly JsonEventFormatter Formatter = new();

    public static string Directory => RepositoryPaths.InRoot("tests", "Skylark.Events.Tests", "Predictor", "Traces");

    public static string ShippedEventing => RepositoryPaths.InRoot("eventing");

    public static string BranchingTriggers => Path.Combine(Directory, "branching-triggers.yaml");

    public static string BranchingTopology => Path.Combine(Directory, "branching-topology.yaml");

    public static string TwoSatellites => Path.Combine(Directory, "two-satellites.yaml");

    public static string ThreeNodes => RepositoryPaths.InRoot("topologies", "three-nodes.yaml");

    public static string DatabeltTestbed => RepositoryPaths.InRoot("topologies", "databelt-testbed.yaml");

    public static string PathOf(string trace) => Path.Combine(Directory, trace);

    public static IReadOnlyList<TraceRecord> Read(string trace)
    {
        var records = new List<TraceRecord>();
        foreach (var line in File.ReadLines(PathOf(trace)))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var eventJson = Encoding.UTF8.GetBytes(json.RootElement.GetProperty("event").GetRawText());
            var cloudEvent = Formatter.DecodeStructuredModeMessage(eventJson, new ContentType("application/cloudevents+json"), extensionAttributes: null);
            var next = json.RootElement.GetProperty("next").EnumerateArray()
                .Select(n => new TraceSuccessor(n.GetProperty("function").GetString()!, n.GetProperty("node").GetString()!))
                .ToList();
            records.Add(new TraceRecord(cloudEvent, next));
        }

        return records;
    }
}
