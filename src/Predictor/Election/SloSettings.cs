using System.Globalization;
using System.Text.Json;

namespace Skylark.Events.Predictor.Election;

/// <summary>
/// The service level objective a propagation must meet, in Databelt's terms (<c>slo-settings.json</c>):
/// <see cref="MaxLatencyMs"/> bounds elapsed time plus transfer time, and a node is only elected when the path to it
/// offers at least <see cref="MinBandwidthMbps"/>.
/// </summary>
public sealed record SloSettings
{
    public SloSettings(double maxLatencyMs, double minBandwidthMbps = 0)
    {
        if (!double.IsFinite(maxLatencyMs) || maxLatencyMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLatencyMs), maxLatencyMs, "max latency must be a finite number of milliseconds > 0.");
        }

        if (!double.IsFinite(minBandwidthMbps) || minBandwidthMbps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minBandwidthMbps), minBandwidthMbps, "min bandwidth must be a finite number of Mbit/s ≥ 0.");
        }

        MaxLatencyMs = maxLatencyMs;
        MinBandwidthMbps = minBandwidthMbps;
    }

    /// <summary>Databelt's shipped objectives: 25 ms, 60 Mbit/s.</summary>
    public static SloSettings Databelt { get; } = new(25, 60);

    /// <summary>Milliseconds: the latest a bundle may arrive, counted from the start of the workflow step.</summary>
    public double MaxLatencyMs { get; }

    /// <summary>Mbit/s (10^6 bit/s): the narrowest link a propagation path may cross; 0 accepts any.</summary>
    public double MinBandwidthMbps { get; }

    /// <summary>Reads Databelt's <c>{"min_bandwidth": Mbit/s, "max_latency": ms}</c>.</summary>
    /// <exception cref="FormatException">The file is not such an object; the message names the file and the field.</exception>
    public static SloSettings Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"SLO settings '{path}' must be a JSON object with max_latency and min_bandwidth.");
            }

            return new SloSettings(Number(root, "max_latency", path, required: true), Number(root, "min_bandwidth", path, required: false));
        }
        catch (JsonException e)
        {
            throw new FormatException($"SLO settings '{path}' are not valid JSON: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"SLO settings '{path}': {e.Message}", e);
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"max latency {MaxLatencyMs} ms, min bandwidth {MinBandwidthMbps} Mbit/s");

    private static double Number(JsonElement root, string name, string path, bool required)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return required ? throw new FormatException($"SLO settings '{path}' have no '{name}'.") : 0;
        }

        return value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw new FormatException($"SLO settings '{path}': '{name}' must be a number, got {value.ValueKind}.");
    }
}
