using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;

namespace Skylark.Events.Cli.Mqtt;

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
            if (!ExtensionNameRegex().IsMatch(name) || name is "specversion" or "id" or "source" or "type")
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

    private static Dictionary<string, string> ParseOverrides(string? json)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return overrides;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"{OverridesVariable} must be a JSON object such as {{\"extensions\":{{\"name\":\"value\"}}}}.");
            }

            if (!document.RootElement.TryGetProperty("extensions", out var extensions) || extensions.ValueKind == JsonValueKind.Null)
            {
                return overrides;
            }

            if (extensions.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"{OverridesVariable}.extensions must be a JSON object of strings.");
            }

            foreach (var extension in extensions.EnumerateObject())
            {
                overrides[extension.Name] = extension.Value.ValueKind == JsonValueKind.String
                    ? extension.Value.GetString()!
                    : throw new InvalidOperationException($"{OverridesVariable}.extensions.{extension.Name} must be a string.");
                if (!ExtensionNameRegex().IsMatch(extension.Name))
                {
                    throw new InvalidOperationException($"{OverridesVariable}.extensions has '{extension.Name}', which is not a CloudEvents attribute name (lowercase letters and digits).");
                }
            }

            return overrides;
        }
        catch (JsonException error)
        {
            throw new InvalidOperationException($"{OverridesVariable} is not valid JSON: {error.Message}", error);
        }
    }

    [GeneratedRegex("^[a-z0-9]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionNameRegex();
}
