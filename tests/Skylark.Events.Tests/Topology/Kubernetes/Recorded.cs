using System.Text.Json.Nodes;

namespace Skylark.Events.Tests.Topology;

/// <summary>Recorded Kubernetes API answers under Topology/Kubernetes/Recorded, read from the checkout.</summary>
internal static class Recorded
{
    public static string PathOf(string file) =>
        Support.RepositoryPaths.InRoot("tests", "Skylark.Events.Tests", "Topology", "Kubernetes", "Recorded", file);

    public static string Text(string file) => File.ReadAllText(PathOf(file));

    public static JsonObject Load(string file) => JsonNode.Parse(Text(file))!.AsObject();

    /// <summary>The recorded node list with one node's annotation (or label) changed; null removes it.</summary>
    public static JsonObject NodesWith(string node, string? annotation = null, string? annotationValue = null, string? label = null, string? labelValue = null)
    {
        var list = Load("nodes.json");
        var metadata = Item(list, node)["metadata"]!.AsObject();
        if (annotation is not null)
        {
            Set(metadata["annotations"]!.AsObject(), annotation, annotationValue);
        }

        if (label is not null)
        {
            Set(metadata["labels"]!.AsObject(), label, labelValue);
        }

        return list;
    }

    /// <summary>
    /// The recorded pod list with the StateSink pod on each given node Running, Ready and answering at
    /// <c>127.0.0.1:port</c> (its container port named http), so a test's own sink stands in for the pod.
    /// </summary>
    public static JsonObject PodsWithSinks(params (string Node, int Port)[] sinks)
    {
        var list = Load("pods.json");
        foreach (var (node, port) in sinks)
        {
            var pod = list["items"]!.AsArray().Single(item =>
                item!["metadata"]!["labels"]?["app"]?.GetValue<string>() == "statesink" && item["spec"]!["nodeName"]!.GetValue<string>() == node)!;
            var status = pod["status"]!.AsObject();
            status["phase"] = "Running";
            status["podIP"] = "127.0.0.1";
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" });
            foreach (var condition in status["conditions"]!.AsArray())
            {
                if (condition!["type"]!.GetValue<string>() is "Ready" or "ContainersReady")
                {
                    condition["status"] = "True";
                    condition.AsObject().Remove("reason");
                    condition.AsObject().Remove("message");
                }
            }

            foreach (var containerPort in pod["spec"]!["containers"]!.AsArray().SelectMany(c => c!["ports"]!.AsArray()))
            {
                if (containerPort!["name"]?.GetValue<string>() == "http")
                {
                    containerPort["containerPort"] = port;
                }
            }
        }

        return list;
    }

    public static JsonObject Item(JsonObject list, string name) =>
        list["items"]!.AsArray().Single(item => item!["metadata"]!["name"]!.GetValue<string>() == name)!.AsObject();

    private static void Set(JsonObject map, string key, string? value)
    {
        if (value is null)
        {
            map.Remove(key);
        }
        else
        {
            map[key] = value;
        }
    }
}
