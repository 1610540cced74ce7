using System.Text;

namespace Skylark.Events.Fuzz;

/// <summary>
/// The message-shaped inputs of the HTTP and MQTT targets: header lines <c>name: value</c>, an empty line, then the
/// body bytes — readable seeds that afl can still mutate byte by byte.
/// </summary>
public sealed record FuzzMessage(IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? ContentType => Headers.LastOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

    public static FuzzMessage Parse(byte[] input)
    {
        var split = IndexOf(input, "\n\n"u8);
        var headerBytes = split < 0 ? input : input.AsSpan(0, split).ToArray();
        var body = split < 0 ? [] : input.AsSpan(split + 2).ToArray();
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in Encoding.UTF8.GetString(headerBytes).Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new FuzzMessage(headers, body);
    }

    private static int IndexOf(byte[] input, ReadOnlySpan<byte> separator) => input.AsSpan().IndexOf(separator);
}
