using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using Google.Protobuf;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Observability.Otlp;

namespace Skylark.Events.Lab.Observability;

/// <summary>
/// An OTLP/HTTP trace receiver (<c>POST /v1/traces</c>, binary protobuf), so the services <c>skylark up --processes</c>
/// runs as their own processes export their spans, with their standard OTLP exporter, into the run's
/// <see cref="TraceStore"/>. It accepts <c>application/x-protobuf</c> bodies of at most <see cref="MaxBodyBytes"/>
/// (gzip-encoded or not) and answers 200 with an empty <c>ExportTraceServiceResponse</c>; 415 for another content type
/// or encoding (OTLP/JSON included), 413 for a larger body, 400 for one that is not an ExportTraceServiceRequest. The
/// error answers are plain text: OpenTelemetry's exporters only log them.
/// </summary>
public static class OtlpTraceReceiver
{
    public const string Route = "/v1/traces";

    public const string ProtobufContentType = "application/x-protobuf";

    /// <summary>The largest body accepted (after gzip decoding): a batch of the SDK's default 512 spans is far smaller.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly byte[] EmptyResponse = new ExportTraceServiceResponse().ToByteArray();

    /// <summary>Maps <c>POST /v1/traces</c>, keeping every span received in <paramref name="store"/>.</summary>
    public static IEndpointRouteBuilder MapOtlpTraces(this IEndpointRouteBuilder endpoints, TraceStore store)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        endpoints.MapPost(Route, (HttpRequest request, CancellationToken cancellationToken) => ReceiveAsync(request, store, cancellationToken));
        return endpoints;
    }

    /// <summary>Keeps every span of <paramref name="request"/> in <paramref name="store"/>.</summary>
    /// <returns>How many spans were kept.</returns>
    /// <exception cref="InvalidDataException">A span's trace or span id is not of OTLP's length; no span is kept.</exception>
    public static int Record(ExportTraceServiceRequest request, TraceStore store)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);

        // Converted first, so a request with one malformed span is refused whole rather than kept in part.
        var received = new List<(ActivityTraceId TraceId, SpanView Span, string? WorkflowId)>();
        foreach (var resource in request.ResourceSpans)
        {
            foreach (var scope in resource.ScopeSpans)
            {
                var service = TraceStore.ServiceOf(scope.Scope?.Name ?? "");
                foreach (var span in scope.Spans)
                {
                    received.Add(ToView(span, service));
                }
            }
        }

        foreach (var (traceId, span, workflowId) in received)
        {
            store.Add(traceId, span, workflowId);
        }

        return received.Count;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, TraceStore store, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !string.Equals(contentType.MediaType, ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Text(
                $"OTLP/HTTP traces are accepted as {ProtobufContentType} (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf), not '{request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Text($"The body is accepted as it is or gzip-encoded, not '{encoding}'.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        byte[]? body;
        try
        {
            if (gzip)
            {
                await using var decompressed = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
                body = await ReadBoundedAsync(decompressed, cancellationToken);
            }
            else
            {
                body = await ReadBoundedAsync(request.Body, cancellationToken);
            }
        }
        catch (InvalidDataException e)
        {
            return Results.Text($"The gzip-encoded body does not decode: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
        }

        if (body is null)
        {
            return TooLarge();
        }

        try
        {
            Record(ExportTraceServiceRequest.Parser.ParseFrom(body), store);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            return Results.Text($"The body is not an OTLP ExportTraceServiceRequest: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Bytes(EmptyResponse, ProtobufContentType);
    }

    private static IResult TooLarge() =>
        Results.Text($"A body of more than {MaxBodyBytes} bytes is refused; export smaller batches.", statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <returns>Null when the body is longer than <see cref="MaxBodyBytes"/>: a missing or lying Content-Length, or a gzip bomb, stops there.</returns>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static (ActivityTraceId TraceId, SpanView Span, string? WorkflowId) ToView(Span span, string service)
    {
        if (span.TraceId.Length != 16 || span.SpanId.Length != 8 || span.ParentSpanId.Length is not (0 or 8))
        {
            throw new InvalidDataException(
                $"span '{span.Name}' has ids of {span.TraceId.Length} (trace), {span.SpanId.Length} (span) and {span.ParentSpanId.Length} (parent) bytes; OTLP's are 16, 8 and 8 (or none).");
        }

        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var attribute in span.Attributes)
        {
            attributes[attribute.Key] = Text(attribute.Value);
        }

        if (span.Status is { Code: Status.Types.StatusCode.Error } status)
        {
            attributes[TraceStore.StatusCodeAttribute] = "ERROR";
            attributes[TraceStore.StatusDescriptionAttribute] = status.Message.Length > 0 ? status.Message : null;
        }

        // OTLP's times are nanoseconds since the epoch; a DateTimeOffset holds 100 ns ticks.
        var start = DateTimeOffset.UnixEpoch.AddTicks((long)(span.StartTimeUnixNano / 100));
        var duration = span.EndTimeUnixNano >= span.StartTimeUnixNano ? (span.EndTimeUnixNano - span.StartTimeUnixNano) / 1e6 : 0;
        var view = new SpanView(
            Convert.ToHexStringLower(span.SpanId.Span),
            span.ParentSpanId.Length == 0 ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
            span.Name,
            service,
            attributes.GetValueOrDefault(CloudEventTracing.NodeTag),
            start,
            (long)span.StartTimeUnixNano,
            Math.Round(duration, 3),
            attributes);
        return (ActivityTraceId.CreateFromBytes(span.TraceId.Span), view, attributes.GetValueOrDefault(CloudEventTracing.WorkflowIdTag));
    }

    /// <summary>An attribute's value as text, as the in-process store writes a tag's (invariant culture).</summary>
    private static string? Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue.ToString(),
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {Text(kv.Value)}")) + "}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        _ => null,
    };
}
