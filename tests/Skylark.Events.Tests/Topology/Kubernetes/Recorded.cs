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
