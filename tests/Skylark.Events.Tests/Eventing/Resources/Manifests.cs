namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>Builds test YAML: a resource header around the <c>spec</c> body a test is about.</summary>
public static class Manifests
{
    public const string ValidSubscriber = """
        subscriber:
          ref:
            apiVersion: serving.knative.dev/v1
            kind: Service
            name: handler
        """;

    public const string ValidSink = """
        sink:
          uri: http://127.0.0.1:8080/ping
        """;

    public static string BrokerYaml(string spec = "", string name = "default") => Resource("eventing.knative.dev/v1", "Broker", name, spec);

    public static string TriggerYaml(string spec, string name = "t") => Resource("eventing.knative.dev/v1", "Trigger", name, spec);

    /// <summary>A Trigger on broker <c>default</c> with a valid subscriber plus <paramref name="extraSpec"/>.</summary>
    public static string TriggerYamlWith(string extraSpec, string name = "t") =>
        TriggerYaml("broker: default\n" + ValidSubscriber + "\n" + extraSpec, name);

    public static string PingSourceYaml(string spec, string name = "p") => Resource("sources.knative.dev/v1", "PingSource", name, spec);

    /// <summary>A PingSource with a valid sink plus <paramref name="extraSpec"/>.</summary>
    public static string PingSourceYamlWith(string extraSpec, string name = "p") => PingSourceYaml(ValidSink + "\n" + extraSpec, name);

    public static string EventPolicyYaml(string spec, string name = "ep") => Resource("eventing.knative.dev/v1alpha1", "EventPolicy", name, spec);

    public static string Documents(params string[] documents) => string.Join("---\n", documents.Select(d => d.TrimEnd('\n') + "\n"));

    private static string Resource(string apiVersion, string kind, string name, string spec)
    {
        var header = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: {name}\n";
        return string.IsNullOrWhiteSpace(spec) ? header : header + "spec:\n" + Indent(spec) + "\n";
    }

    private static string Indent(string yaml) =>
        string.Join('\n', yaml.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(line => line.Length == 0 ? line : "  " + line));
}
