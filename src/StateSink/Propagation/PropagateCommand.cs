using System.Globalization;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Topology;

namespace Skylark.Events.StateSink.Propagation;

/// <summary>
/// An <c>io.skylark.state.propagate</c> event as the sink understood it. When <see cref="Error"/> is set the command is
/// refused as a whole and nothing is pulled; the other properties hold what could be read, for the reply.
/// <see cref="AwaitWrite"/>: the bundles are the output of a function still running on <see cref="From"/>, so the
/// pulls wait for them to be written there. <see cref="Camera"/>: the <c>camera</c> extension, whose stream workflow
/// the command may name besides its own (<see cref="PropagateScope"/>).
/// </summary>
public sealed record PropagateCommand(
    IReadOnlyList<StateRef> Bundles,
    string From,
    string To,
    string? Function,
    double? Probability,
    DateTimeOffset? Deadline,
    string? WorkflowId,
    string? Error,
    bool AwaitWrite = false,
    string? Camera = null)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    public bool IsValid => Error is null;

    /// <summary>
    /// Reads and checks a propagate event for the sink of <paramref name="node"/>: <c>targetnode</c> is this node, the
    /// data is a JSON object, <c>bundles</c> is a non-empty list of at most <paramref name="maxBundles"/> valid StateRefs
    /// on nodes of <paramref name="topology"/> and within the command's workflow boundary (<see cref="PropagateScope"/>),
    /// <c>from</c> is a node of the topology, and <c>to</c>, when given, is this node.
    /// </summary>
    public static PropagateCommand Read(CloudEvent cloudEvent, string node, NetworkTopology? topology, int maxBundles, string? topologyProblem = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var workflowId = cloudEvent[ExtensionNames.WorkflowId] as string;
        var targetNode = cloudEvent[ExtensionNames.TargetNode] as string;
        var camera = cloudEvent[ExtensionNames.Camera] as string;
        var command = new PropagateCommand([], "", node, null, null, null, workflowId, null, Camera: camera);

        if (string.IsNullOrEmpty(targetNode))
        {
            return command with { Error = $"the event has no '{ExtensionNames.TargetNode}' extension; this sink serves node '{node}'" };
        }

        if (targetNode != node)
        {
            return command with { Error = $"targetnode '{targetNode}' is not this sink's node '{node}'" };
        }

        if (!TryParseData(cloudEvent, out var root, out var dataProblem))
        {
            return command with { Error = dataProblem };
        }

        using (root)
        {
            return Validate(Read(root.RootElement, command, maxBundles), node, topology, topologyProblem);
        }
    }

    private static PropagateCommand Read(JsonElement data, PropagateCommand command, int maxBundles)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return command with { Error = $"data must be a JSON object, not {data.ValueKind}" };
        }

        var from = Property(data, "from");
        var to = Property(data, "to");
        var function = Property(data, "function");
        var probability = Property(data, "probability");
        var deadline = Property(data, "deadline");
        var awaitWrite = Property(data, "awaitWrite");

        if (from is { ValueKind: JsonValueKind.String })
        {
            command = command with { From = from.Value.GetString()! };
        }

        if (to is { ValueKind: JsonValueKind.String })
        {
            command = command with { To = to.Value.GetString()! };
        }

        if (function is { ValueKind: JsonValueKind.String })
        {
            command = command with { Function = function.Value.GetString() };
        }

        if (Property(data, "bundles") is not { ValueKind: JsonValueKind.Array } bundles)
        {
            return command with { Error = "data.bundles must be a list of StateRefs '<node>/<workflowid>/<bundle>'" };
        }

        var count = bundles.GetArrayLength();
        if (count == 0)
        {
            return command with { Error = "data.bundles lists no bundles" };
        }

        if (count > maxBundles)
        {
            return command with { Error = $"data.bundles lists {count} bundles; at most {maxBundles} are accepted per command" };
        }

        var refs = new List<StateRef>(count);
        var index = 0;
        foreach (var element in bundles.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                return command with { Error = $"data.bundles[{index}] must be a StateRef string, not {element.ValueKind}" };
            }

            if (!StateRef.TryParse(element.GetString(), out var stateRef, out var refProblem))
            {
                return command with { Error = $"data.bundles[{index}]: {refProblem}" };
            }

            refs.Add(stateRef);
            index++;
        }

        command = command with { Bundles = refs };
        if (from is not { ValueKind: JsonValueKind.String })
        {
            return command with { Error = "data.from must name the node the bundles come from" };
        }

        if (to is { ValueKind: not (JsonValueKind.String or JsonValueKind.Null) })
        {
            return command with { Error = "data.to must be a node name" };
        }

        if (function is { ValueKind: not (JsonValueKind.String or JsonValueKind.Null) })
        {
            return command with { Error = "data.function must be a function name" };
        }

        if (probability is { ValueKind: JsonValueKind.Number } p)
        {
            command = command with { Probability = p.GetDouble() };
        }
        else if (probability is { ValueKind: not JsonValueKind.Null })
        {
            return command with { Error = "data.probability must be a number" };
        }

        if (deadline is { ValueKind: JsonValueKind.String } d)
        {
            if (!DateTimeOffset.TryParse(d.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
            {
                return command with { Error = $"data.deadline '{d.GetString()}' is not an ISO 8601 time" };
            }

            command = command with { Deadline = parsed };
        }
        else if (deadline is { ValueKind: not JsonValueKind.Null })
        {
            return command with { Error = "data.deadline must be an ISO 8601 time" };
        }

        switch (awaitWrite?.ValueKind)
        {
            case JsonValueKind.True:
                command = command with { AwaitWrite = true };
                break;
            case null or JsonValueKind.False or JsonValueKind.Null:
                break;
            default:
                return command with { Error = $"data.awaitWrite must be true or false, not {awaitWrite.Value.ValueKind}" };
        }

        return command;
    }

    private static PropagateCommand Validate(PropagateCommand command, string node, NetworkTopology? topology, string? topologyProblem)
    {
        if (!command.IsValid)
        {
            return command;
        }

        if (command.To != node)
        {
            return command with { Error = $"data.to '{command.To}' is not this sink's node '{node}'" };
        }

        if (WorkflowProblem(command) is { } workflowProblem)
        {
            return command with { Error = workflowProblem };
        }

        if (topology is null)
        {
            return command with { Error = $"the topology is not available, so the nodes cannot be checked: {topologyProblem ?? "not loaded"}" };
        }

        if (!topology.Contains(command.From))
        {
            return command with { Error = $"data.from names unknown node '{command.From}' ({Known(topology)})" };
        }

        for (var i = 0; i < command.Bundles.Count; i++)
        {
            if (!topology.Contains(command.Bundles[i].Node))
            {
                return command with { Error = $"data.bundles[{i}] '{command.Bundles[i]}' names unknown node '{command.Bundles[i].Node}' ({Known(topology)})" };
            }
        }

        return command;
    }

    /// <summary>Why the command names a bundle outside its workflow boundary; null when it does not.</summary>
    private static string? WorkflowProblem(PropagateCommand command)
    {
        if (string.IsNullOrEmpty(command.WorkflowId))
        {
            return $"the event has no '{ExtensionNames.WorkflowId}' extension; a command copies only bundles of the workflow it names";
        }

        var stream = PropagateScope.StreamWorkflowOf(command.Camera);
        if (command.Camera is not null && stream is null)
        {
            return $"the '{ExtensionNames.Camera}' extension '{Truncate(command.Camera)}' is not a camera id";
        }

        for (var i = 0; i < command.Bundles.Count; i++)
        {
            var bundle = command.Bundles[i];
            if (!PropagateScope.Admits(command.WorkflowId, command.Camera, bundle))
            {
                var allowed = stream is null
                    ? $"workflow '{command.WorkflowId}'"
                    : $"workflow '{command.WorkflowId}' or the stream workflow '{stream}' of camera '{command.Camera}'";
                return $"data.bundles[{i}] '{bundle}' belongs to workflow '{bundle.WorkflowId}', but this command may copy only bundles of its {allowed}; nothing was copied";
            }
        }

        return null;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "…");

    private static string Known(NetworkTopology topology) =>
        $"topology '{topology.Name}' has {string.Join(", ", topology.Nodes.Take(16).Select(n => n.Name))}{(topology.Nodes.Count > 16 ? ", …" : "")}";

    private static JsonElement? Property(JsonElement data, string name)
    {
        foreach (var property in data.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static bool TryParseData(CloudEvent cloudEvent, out JsonDocument document, out string? problem)
    {
        document = null!;
        problem = null;
        if (cloudEvent.DataContentType is { } contentType && !RawDataJsonEventFormatter.IsJsonContentType(contentType))
        {
            problem = $"data must be JSON (application/json), not '{contentType}'";
            return false;
        }

        try
        {
            switch (cloudEvent.Data)
            {
                case null:
                    problem = "the event has no data; expected {bundles, from, to, function, probability, deadline, awaitWrite}";
                    return false;
                case byte[] bytes:
                    document = JsonDocument.Parse(bytes, DocumentOptions);
                    return true;
                case JsonElement element:
                    document = JsonDocument.Parse(element.GetRawText(), DocumentOptions);
                    return true;
                case string text:
                    document = JsonDocument.Parse(text, DocumentOptions);
                    return true;
                default:
                    problem = $"data of type {cloudEvent.Data.GetType().Name} is not JSON";
                    return false;
            }
        }
        catch (JsonException error)
        {
            problem = $"data is not valid JSON: {error.Message}";
            return false;
        }
    }
}
