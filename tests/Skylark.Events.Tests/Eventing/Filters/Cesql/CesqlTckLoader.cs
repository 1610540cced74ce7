using System.Globalization;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Skylark.Events.Eventing.Filters.Cesql;
using Skylark.Events.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Tests.Eventing.Filters.Cesql;

/// <summary>
/// Reads the CESQL TCK YAML files from <c>shared/conformance/cesql-tck</c>. Plain YAML scalars keep their YAML type
/// (booleans, integers), quoted ones are strings, exactly as the upstream Go runner reads them.
/// </summary>
public static class CesqlTckLoader
{
    private static readonly Lazy<IReadOnlyDictionary<(string File, string Name), CesqlTckCase>> Cases = new(LoadAll);

    public static string Directory => RepositoryPaths.InShared("conformance", "cesql-tck");

    public static IReadOnlyCollection<CesqlTckCase> All => Cases.Value.Values.ToList();

    public static CesqlTckCase Get(string file, string name) => Cases.Value[(file, name)];

    private static Dictionary<(string, string), CesqlTckCase> LoadAll()
    {
        var cases = new Dictionary<(string, string), CesqlTckCase>();
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileNameWithoutExtension(path);
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            var root = (YamlMappingNode)stream.Documents[0].RootNode;
            foreach (var test in ((YamlSequenceNode)root.Children[new YamlScalarNode("tests")]).Children.Cast<YamlMappingNode>())
            {
                var testCase = ReadCase(file, test);
                cases.Add((file, testCase.Name), testCase);
            }
        }

        return cases;
    }

    private static CesqlTckCase ReadCase(string file, YamlMappingNode test)
    {
        string? Scalar(string key) => test.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;
        YamlNode? Node(string key) => test.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

        var name = Scalar("name") ?? throw new InvalidDataException($"{file}: a test has no name.");
        var expression = Scalar("expression") ?? throw new InvalidDataException($"{file}/{name}: no expression.");
        CesqlValue? expected = Node("result") is YamlScalarNode result ? ToCesqlValue(result) : null;
        CesqlErrorKind? error = Scalar("error") is { } kind ? ParseErrorKind(kind) : null;
        var eventJson = Node("event") is YamlMappingNode eventNode ? ToJson(eventNode) : null;
        var overrides = Node("eventOverrides") is YamlMappingNode overridesNode
            ? overridesNode.Children.Select(p => (((YamlScalarNode)p.Key).Value!, ToClrValue((YamlScalarNode)p.Value))).ToList()
            : [];

        return new CesqlTckCase(file, name, expression, expected, error, () => BuildEvent(eventJson, overrides));
    }

    private static CesqlErrorKind ParseErrorKind(string kind) => kind switch
    {
        "parse" => CesqlErrorKind.Parse,
        "math" => CesqlErrorKind.Math,
        "cast" => CesqlErrorKind.Cast,
        "missingAttribute" => CesqlErrorKind.MissingAttribute,
        "missingFunction" => CesqlErrorKind.MissingFunction,
        "functionEvaluation" => CesqlErrorKind.FunctionEvaluation,
        _ => throw new InvalidDataException($"Unknown TCK error kind '{kind}'."),
    };

    private static object ToClrValue(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.Plain)
        {
            if (bool.TryParse(text, out var boolean))
            {
                return boolean;
            }

            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return integer;
            }
        }

        return text;
    }

    private static CesqlValue ToCesqlValue(YamlScalarNode scalar) => ToClrValue(scalar) switch
    {
        bool boolean => CesqlValue.FromBoolean(boolean),
        int integer => CesqlValue.FromInteger(integer),
        var text => CesqlValue.FromString((string)text),
    };

    private static byte[] ToJson(YamlMappingNode mapping)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in mapping.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                switch (ToClrValue((YamlScalarNode)value))
                {
                    case bool boolean:
                        writer.WriteBoolean(name, boolean);
                        break;
                    case int integer:
                        writer.WriteNumber(name, integer);
                        break;
                    case var text:
                        writer.WriteString(name, (string)text);
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The TCK's <c>event</c>, or — when absent — any valid event with all optional context attributes
    /// (the TCK leaves that choice to the runner; the Go runner uses a full event too). Overrides then set attributes,
    /// typed by their YAML type. Both events go through the structured-mode JSON formatter.
    /// </summary>
    private static CloudEvent BuildEvent(byte[]? eventJson, IReadOnlyList<(string Name, object Value)> overrides)
    {
        var cloudEvent = new JsonEventFormatter().DecodeStructuredModeMessage(
            eventJson ?? DefaultEventJson(), new ContentType("application/cloudevents+json"), null);

        foreach (var (name, value) in overrides)
        {
            switch (value)
            {
                case bool boolean:
                    cloudEvent[CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.Boolean)] = boolean;
                    break;
                case int integer:
                    cloudEvent[CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.Integer)] = integer;
                    break;
                default:
                    cloudEvent.SetAttributeFromString(name, (string)value);
                    break;
            }
        }

        return cloudEvent;
    }

    private static byte[] DefaultEventJson() => Encoding.UTF8.GetBytes(
        """
        {
          "specversion": "1.0",
          "id": "tck-event",
          "source": "/tck/source",
          "type": "io.cloudevents.tck",
          "subject": "tck-subject",
          "time": "2024-06-17T12:00:00Z",
          "datacontenttype": "application/json",
          "dataschema": "https://example.com/schema",
          "data": {}
        }
        """);
}
