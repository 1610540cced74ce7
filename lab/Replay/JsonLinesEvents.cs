using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;

namespace Skylark.Events.Lab.Replay;

/// <summary>
/// CloudEvents as JSON Lines: one structured-mode JSON event per line (application/cloudevents+json), JSON data
/// written inline and compactly, text data as a string, other data as <c>data_base64</c>.
/// </summary>
public static class JsonLinesEvents
{
    private static readonly ContentType StructuredJson = new("application/cloudevents+json; charset=utf-8");

    /// <summary>The line for <paramref name="cloudEvent"/>, without the line break.</summary>
    public static string Format(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var json = RawDataJsonEventFormatter.Instance.EncodeStructuredModeMessage(cloudEvent, out _);
        return Encoding.UTF8.GetString(json.Span);
    }

    public static async Task WriteAsync(TextWriter output, CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteAsync((Format(cloudEvent) + "\n").AsMemory(), cancellationToken);
    }

    /// <summary>Parses one line.</summary>
    /// <exception cref="FormatException">The line is not a valid structured-mode CloudEvent.</exception>
    public static CloudEvent Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = RawDataJsonEventFormatter.Instance.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(line), StructuredJson, extensionAttributes: null);
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new FormatException(e.Message, e);
        }

        return cloudEvent.IsValid ? cloudEvent : throw new FormatException("the event is missing required attributes (id, source, type, specversion)");
    }

    /// <summary>Every event of a <c>.jsonl</c> file, in order; blank lines are skipped.</summary>
    /// <exception cref="FormatException">A line is not an event; the message names the file and line.</exception>
    public static IEnumerable<CloudEvent> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        return ReadIterator(path);
    }

    private static IEnumerable<CloudEvent> ReadIterator(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            CloudEvent cloudEvent;
            try
            {
                cloudEvent = Parse(line);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}:{number}: not a CloudEvent: {e.Message}", e);
            }

            yield return cloudEvent;
        }
    }
}
