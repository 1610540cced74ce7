using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;

namespace Skylark.Events.CameraIngest.Sink;

/// <summary>
/// Where a source sends its events, by the Knative SinkBinding runtime contract: <c>K_SINK</c> is the sink's URL and
/// <c>K_CE_OVERRIDES</c> (<c>{"extensions":{"name":"value"}}</c>) extensions to set on every outgoing event.
/// </summary>
/// <remarks>
/// <c>K_SINK</c> wins over a configured URL: the platform injects it and rewrites it when the sink moves, so a bound
/// source must follow it; the configured URL is the fallback for running outside Knative.
/// </remarks>
public sealed partial record SinkBinding
{
    public const string SinkVariable = "K_SINK";
    public const string OverridesVariable = "K_CE_OVERRIDES";

    public SinkBinding(Uri sink, IReadOnlyDictionary<string, string>? extensionOverrides = null, bool fromEnvironment = false)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!sink.IsAbsoluteUri || (sink.Scheme != Uri.UriSchemeHttp && sink.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Sink '{sink}' must be an absolute http:// or https:// URL.", nameof(sink));
        }

        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in extensionOverrides ?? new Dictionary<string, string>())
        {
            if (!IsExtensionName(name))
            {
                throw new ArgumentException($"Override '{name}' is not an extension attribute name (lowercase letters and digits, not a core attribute).", nameof(extensionOverrides));
            }

            overrides[name] = value ?? throw new ArgumentException($"Override '{name}' has no value.", nameof(extensionOverrides));
        }

        Sink = sink;
        ExtensionOverrides = overrides;
        FromEnvironment = fromEnvironment;
    }

    public Uri Sink { get; }

    public IReadOnlyDictionary<string, string> ExtensionOverrides { get; }

    /// <summary>True when the sink came from <c>K_SINK</c>.</summary>
    public bool FromEnvironment { get; }

    /// <summary>Resolves the binding from the process environment.</summary>
    public static SinkBinding Resolve(Uri? configuredSink) =>
        Resolve(configuredSink, name => System.Environment.GetEnvironmentVariable(name));

    public static SinkBinding Resolve(Uri? configuredSink, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Resolve(configuredSink, name => environment.TryGetValue(name, out var value) ? value : null);
    }

    /// <exception cref="InvalidOperationException">No sink anywhere, or <c>K_SINK</c>/<c>K_CE_OVERRIDES</c> is malformed; the message says which.</exception>
    public static SinkBinding Resolve(Uri? configuredSink, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var overrides = ParseOverrides(environment(OverridesVariable));
        var sinkVariable = environment(SinkVariable);
        if (!string.IsNullOrWhiteSpace(sinkVariable))
        {
            if (!Uri.TryCreate(sinkVariable.Trim(), UriKind.Absolute, out var sink) || (sink.Scheme != Uri.UriSchemeHttp && sink.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"{SinkVariable} '{sinkVariable}' is not an absolute http:// or https:// URL.");
            }

            return new SinkBinding(sink, overrides, fromEnvironment: true);
        }

        if (configuredSink is null)
        {
            throw new InvalidOperationException($"No sink to send events to: configure the sink URL or set {SinkVariable} (as a Knative SinkBinding does).");
        }

        return new SinkBinding(configuredSink, overrides);
    }

    /// <summary>Sets the <c>K_CE_OVERRIDES</c> extensions on <paramref name="cloudEvent"/>, replacing values it had.</summary>
    public void ApplyTo(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        foreach (var (name, value) in ExtensionOverrides)
        {
            cloudEvent[name] = null;
            cloudEvent.SetAttributeFromString(name, value);
        }
    }

    /// <summary>
    /// Reads <c>K_CE_OVERRIDES</c>: <c>{"extensions":{"name":"value"}}</c>, blank or without <c>extensions</c> meaning none.
    /// </summary>
    /// <param name="json">The variable's value.</param>
    /// <param name="overrides">When true: the extensions by name.</param>
    /// <param name="problem">When false: what is wrong, phrased to follow the variable's name (<c>is not valid JSON: …</c>).</param>
    public static bool TryParseOverrides(
        string? json,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, string>? overrides,
        [NotNullWhen(false)] out string? problem)
    {
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        overrides = parsed;
        problem = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = """must be a JSON object such as {"extensions":{"name":"value"}}""";
            }
            else if (!document.RootElement.TryGetProperty("extensions", out var extensions) || extensions.ValueKind == JsonValueKind.Null)
            {
                return true;
            }
            else if (extensions.ValueKind != JsonValueKind.Object)
            {
                problem = "has extensions, which must be a JSON object of strings";
            }
            else
            {
                foreach (var extension in extensions.EnumerateObject())
                {
                    if (extension.Value.ValueKind != JsonValueKind.String)
                    {
                        problem = $"has extensions.{extension.Name}, which must be a string";
                        break;
                    }

                    if (!IsExtensionName(extension.Name))
                    {
                        problem = $"has extensions.{extension.Name}, which is not a CloudEvents attribute name (lowercase letters and digits, not a core attribute)";
                        break;
                    }

                    parsed[extension.Name] = extension.Value.GetString()!;
                }
            }
        }
        catch (JsonException error)
        {
            problem = $"is not valid JSON: {error.Message.TrimEnd('.')}";
        }

        overrides = problem is null ? parsed : null;
        return problem is null;
    }

    private static Dictionary<string, string> ParseOverrides(string? json) =>
        TryParseOverrides(json, out var overrides, out var problem)
            ? new Dictionary<string, string>(overrides, StringComparer.Ordinal)
            : throw new InvalidOperationException($"{OverridesVariable} {problem}.");

    private static bool IsExtensionName(string name) => ExtensionNameRegex().IsMatch(name) && name is not ("specversion" or "id" or "source" or "type");

    [GeneratedRegex("^[a-z0-9]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionNameRegex();
}
