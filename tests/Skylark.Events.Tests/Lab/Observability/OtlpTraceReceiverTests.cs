using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Observability.Otlp;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Observability;

/// <summary>
/// The OTLP/HTTP receiver on a real Kestrel, fed by OpenTelemetry's own OTLP exporter as every service process uses it.
/// </summary>
public sealed class OtlpTraceReceiverTests : IAsyncLifetime
{
    private const string SourceName = CloudEventTracing.SourcePrefix + "OtlpReceiverTests";

    private readonly TraceStore _store = new(listen: false);
    private readonly HttpClient _http = new();
    private LocalWebApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await LocalWebApp.StartAsync("otlp-receiver", _ => { }, web => web.MapOtlpTraces(_store));

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _http.Dispose();
        _store.Dispose();
    }

    [Fact]
    public void A_store_that_does_not_listen_records_nothing_of_this_process()
    {
        using var source = new ActivitySource(SourceName + ".Unheard");
        using var store = new TraceStore(listen: false);
        using (var span = source.StartActivity("unheard"))
        {
            span?.SetTag(CloudEventTracing.WorkflowIdTag, "wf-unheard");
        }

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Spans_exported_by_the_OpenTelemetry_OTLP_exporter_are_kept_with_their_links_services_nodes_durations_and_status()
    {
        using var source = new ActivitySource(SourceName);
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        string rootId, childId, traceId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService("otlp-receiver-tests"))
            .AddSource(SourceName)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(_app.Url, "v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build())
        {
            using (var root = RootSpans.Start(source, "frame ingest", ActivityKind.Producer, start)!)
            {
                root.SetTag(CloudEventTracing.WorkflowIdTag, "wf-otlp").SetTag(CloudEventTracing.NodeTag, "edge");
                using (var child = source.StartActivity("detect process", ActivityKind.Consumer, root.Context, startTime: start.AddMilliseconds(10))!)
                {
                    child.SetTag(CloudEventTracing.WorkflowIdTag, "wf-otlp")
                        .SetTag(CloudEventTracing.NodeTag, "sat")
                        .SetTag(CloudEventTracing.BytesTag, 1234L)
                        .SetTag("skylark.ratio", 0.5)
                        .SetTag("skylark.flag", true)
                        .SetStatus(ActivityStatusCode.Error, "no model");
                    child.SetEndTime(start.AddMilliseconds(260).UtcDateTime);
                    childId = child.SpanId.ToHexString();
                }

                root.SetEndTime(start.AddMilliseconds(300).UtcDateTime);
                rootId = root.SpanId.ToHexString();
                traceId = root.TraceId.ToHexString();
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        var trace = _store.Find("wf-otlp");
        Assert.NotNull(trace);
        Assert.Equal(traceId, trace.TraceId);
        Assert.Equal(["frame ingest", "detect process"], trace.Spans.Select(s => s.Name));
        var (root1, child1) = (trace.Spans[0], trace.Spans[1]);

        Assert.Equal(rootId, root1.SpanId);
        Assert.Null(root1.ParentSpanId);
        Assert.Equal(rootId, child1.ParentSpanId);
        Assert.Equal(childId, child1.SpanId);
        Assert.All(trace.Spans, s => Assert.Equal("OtlpReceiverTests", s.Service));
        Assert.Equal(["edge", "sat"], trace.Spans.Select(s => s.Node));
        Assert.Equal(start, root1.Start);
        Assert.Equal((start - DateTimeOffset.UnixEpoch).Ticks * 100, root1.StartUnixNano);
        Assert.Equal(300, root1.DurationMs);
        Assert.Equal(250, child1.DurationMs);

        Assert.Equal("wf-otlp", child1.Attributes[CloudEventTracing.WorkflowIdTag]);
        Assert.Equal("1234", child1.Attributes[CloudEventTracing.BytesTag]);
        Assert.Equal("0.5", child1.Attributes["skylark.ratio"]);
        Assert.Equal("True", child1.Attributes["skylark.flag"]);
        Assert.Equal("ERROR", child1.Attributes[TraceStore.StatusCodeAttribute]);
        Assert.Equal("no model", child1.Attributes[TraceStore.StatusDescriptionAttribute]);
        Assert.False(root1.Attributes.ContainsKey(TraceStore.StatusCodeAttribute));
    }

    [Fact]
    public async Task An_accepted_request_is_answered_with_an_empty_protobuf_response_gzip_encoded_or_not()
    {
        using var plain = await PostAsync(Request("wf-plain").ToByteArray(), OtlpTraceReceiver.ProtobufContentType);
        using var zipped = await PostAsync(Gzip(Request("wf-gzip").ToByteArray()), OtlpTraceReceiver.ProtobufContentType, gzip: true);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(OtlpTraceReceiver.ProtobufContentType, plain.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await plain.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, zipped.StatusCode);
        Assert.Equal(["root", "child"], _store.Find("wf-plain")!.Spans.Select(s => s.Name));
        Assert.Equal(["root", "child"], _store.Find("wf-gzip")!.Spans.Select(s => s.Name));
    }

    [Fact]
    public async Task Another_content_type_is_refused_with_415_naming_the_one_accepted()
    {
        using var json = await PostAsync("{\"resourceSpans\":[]}"u8.ToArray(), "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Contains("application/x-protobuf", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_an_export_request_is_refused_with_400_and_nothing_is_kept()
    {
        // Field 1, length-delimited, longer than the body.
        using var garbage = await PostAsync([0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01], OtlpTraceReceiver.ProtobufContentType);
        var shortIds = Request("wf-short-ids");
        shortIds.ResourceSpans[0].ScopeSpans[0].Spans[1].TraceId = ByteString.CopyFrom(1, 2, 3);
        using var malformed = await PostAsync(shortIds.ToByteArray(), OtlpTraceReceiver.ProtobufContentType);

        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("ExportTraceServiceRequest", await garbage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("16, 8 and 8", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(_store.Find("wf-short-ids"));
    }

    [Fact]
    public async Task A_body_over_the_bound_is_refused_with_413_declared_or_inflated_from_gzip()
    {
        var large = new byte[OtlpTraceReceiver.MaxBodyBytes + 1];
        using var declared = await PostAsync(large, OtlpTraceReceiver.ProtobufContentType);
        using var inflated = await PostAsync(Gzip(large), OtlpTraceReceiver.ProtobufContentType, gzip: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("bytes", await declared.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, inflated.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string contentType, bool gzip = false)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await _http.PostAsync(new Uri(_app.Url, "v1/traces"), content);
    }

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(body);
        }

        return buffer.ToArray();
    }

    /// <summary>A root and a child span of one trace, as a service's exporter would send them.</summary>
    private static ExportTraceServiceRequest Request(string workflowId)
    {
        var traceId = ByteString.CopyFrom(ActivityTraceId.CreateRandom().ToHexString().Chunk(2).Select(h => Convert.ToByte(new string(h), 16)).ToArray());
        var rootId = ByteString.CopyFrom(1, 2, 3, 4, 5, 6, 7, 8);
        Span Span(string name, ByteString id, ByteString parent) => new()
        {
            TraceId = traceId,
            SpanId = id,
            ParentSpanId = parent,
            Name = name,
            StartTimeUnixNano = 1_000_000_000,
            EndTimeUnixNano = 1_002_000_000,
            Attributes = { new KeyValue { Key = CloudEventTracing.WorkflowIdTag, Value = new AnyValue { StringValue = workflowId } } },
        };

        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    ScopeSpans =
                    {
                        new ScopeSpans
                        {
                            Scope = new InstrumentationScope { Name = SourceName },
                            Spans = { Span("root", rootId, ByteString.Empty), Span("child", ByteString.CopyFrom(8, 7, 6, 5, 4, 3, 2, 1), rootId) },
                        },
                    },
                },
            },
        };
    }
}
