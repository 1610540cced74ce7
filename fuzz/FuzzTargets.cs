using System.Buffers.Binary;
using System.Text;
using CloudNative.CloudEvents;
using MQTTnet.Packets;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;
using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Filters.Cesql;
using Skylark.Events.State.Wire;

namespace Skylark.Events.Fuzz;

/// <summary>The components fed untrusted bytes, each with the failures its contract allows.</summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new("http", "CloudEvents HTTP reader: header lines, an empty line, the body (structured or binary mode)",
            ReadHttp, [typeof(InvalidCloudEventException)]),
        new("cesql", "CESQL parser, then the evaluator on a fixed event", ParseAndEvaluateCesql, [typeof(CesqlParseException)]),
        new("journal", "journal segment reader: the input is a segment file (first byte odd: record checksums are fixed up)",
            ReadJournalSegment, [typeof(FormatException)]),
        new("wire", "bundle wire format reader (version 1 and 2 streams)", ReadBundleWire, [typeof(BundleWireFormatException)]),
        new("mqtt", "MQTT CloudEvents binding: Content-Type and user-property lines, an empty line, the payload",
            DecodeMqtt, [typeof(InvalidMqttCloudEventException)]),
        new("stateref", "StateRef.Parse and TryParse, and format/parse of what parses", ParseStateRef, [typeof(FormatException)]),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name.Equals(name, StringComparison.Ordinal));

    // Built per input, never in a static initializer: instrumented code must not run before the fuzzer maps its
    // coverage memory, which happens after the target is looked up.
    private static CloudEvent CesqlSubject()
    {
        var count = CloudEventAttribute.CreateExtension("count", CloudEventAttributeType.Integer);
        var flag = CloudEventAttribute.CreateExtension("flag", CloudEventAttributeType.Boolean);
        return new CloudEvent(CloudEventsSpecVersion.V1_0, [count, flag])
        {
            Id = "1",
            Source = new Uri("urn:skylark:fuzz"),
            Type = "skylark.fuzz",
            Subject = "camera/7",
            Time = DateTimeOffset.UnixEpoch,
            DataContentType = "application/json",
            [count] = 42,
            [flag] = true,
            ["region"] = "eu-west",
        };
    }

    private static void ReadHttp(byte[] input)
    {
        var message = FuzzMessage.Parse(input);
        var context = new DefaultHttpContext();
        foreach (var (name, value) in message.Headers)
        {
            // A name Kestrel would never pass on is not an input the reader can meet.
            if (name.Length > 0 && name.All(c => c is > ' ' and < (char)0x7f))
            {
                context.Request.Headers.Append(name, value);
            }
        }

        context.Request.Method = HttpMethods.Post;
        context.Request.Body = new MemoryStream(message.Body, writable: false);
        context.Request.ContentLength = message.Body.Length;
        context.Request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance).GetAwaiter().GetResult();
    }

    private static void ParseAndEvaluateCesql(byte[] input)
    {
        var expression = CesqlExpression.Parse(Encoding.UTF8.GetString(input));
        _ = expression.Evaluate(CesqlSubject());
    }

    private static void ReadJournalSegment(byte[] input)
    {
        var directory = Directory.CreateTempSubdirectory("skylark-fuzz-journal-");
        try
        {
            var segment = input.AsSpan(input.Length > 0 ? 1 : 0).ToArray();
            if (input.Length > 0 && (input[0] & 1) == 1)
            {
                FixChecksums(segment);
            }

            File.WriteAllBytes(Path.Combine(directory.FullName, JournalFormat.SegmentFileName(1)), segment);
            foreach (var recorded in JournalReader.ReadEvents(directory.FullName))
            {
                // What `skylark journal export` and recovery do with each event.
                _ = recorded.ToCloudEvent();
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Rewrites each framed record's checksum so mutations get past the CRC to the record decoder; the checksum
    /// check itself is reached through the inputs whose first byte is even.
    /// </summary>
    private static void FixChecksums(Span<byte> segment)
    {
        var position = JournalFormat.HeaderBytes;
        while (position + JournalFormat.RecordHeaderBytes <= segment.Length)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(segment[position..]);
            if (length == 0 || length > segment.Length - position - JournalFormat.RecordHeaderBytes)
            {
                return;
            }

            var body = segment.Slice(position + JournalFormat.RecordHeaderBytes, (int)length);
            JournalFormat.WriteRecordHeader(segment[position..], body);
            position += JournalFormat.RecordHeaderBytes + (int)length;
        }
    }

    private static void ReadBundleWire(byte[] input) =>
        BundleWireFormat.ReadAsync(new MemoryStream(input, writable: false), new BundleWireLimits(maxBundleBytes: 1024 * 1024, maxEntries: 64)).GetAwaiter().GetResult();

    private static void DecodeMqtt(byte[] input)
    {
        var message = FuzzMessage.Parse(input);
        var properties = message.Headers
            .Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => new MqttUserProperty(h.Key, Encoding.UTF8.GetBytes(h.Value)))
            .ToList();
        CloudEventsMqttBinding.ToCloudEvent(message.Body, message.ContentType, properties, RawDataJsonEventFormatter.Instance);
    }

    private static void ParseStateRef(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var parsed = StateRef.TryParse(text, out var stateRef, out _);
        if (parsed && StateRef.Parse(stateRef!.ToString()) != stateRef)
        {
            throw new InvalidOperationException($"StateRef '{text}' does not survive format and parse.");
        }

        _ = StateRef.Parse(text);
        if (!parsed)
        {
            throw new InvalidOperationException($"StateRef.Parse accepted '{text}', which TryParse rejected.");
        }
    }
}
