using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Tests.Lab.Observability;

public sealed class TraceTreeTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private static SpanView Span(string id, string? parent, string name, string service, string? node, double offsetMs, double durationMs, params (string Key, string Value)[] attributes) =>
        new(id, parent, name, service, node, Start.AddMilliseconds(offsetMs),
            (Start - DateTimeOffset.UnixEpoch).Ticks * 100 + (long)(offsetMs * 1_000_000), durationMs,
            attributes.ToDictionary(a => a.Key, a => (string?)a.Value));

    [Fact]
    public void A_trace_renders_as_an_indented_tree_with_offsets_and_where_the_time_went()
    {
        var trace = new TraceView("cam-1-000001", "4bf92f3577b34da6a3ce929d0e0e4736",
        [
            Span("0000000000000005", "0000000000000004", "preprocess process", "Functions", "edge", 4, 20),
            Span("0000000000000001", null, "frame ingest", "CameraIngest", "edge", 0, 2),
            Span("0000000000000002", "0000000000000001", "default receive", "Broker", "cloud", 1, 0.5, ("messaging.operation.type", "receive")),
            Span("0000000000000003", "0000000000000002", "preprocess process", "Broker", "cloud", 2, 25, ("messaging.operation.type", "process"), ("skylark.queued_ms", "1.5")),
            Span("0000000000000004", "0000000000000003", "preprocess send", "Broker", "cloud", 3, 24, ("messaging.operation.type", "send")),
            Span("0000000000000006", "0000000000000005", "read frame", "Functions", "edge", 5, 3, ("skylark.read", "waited")),
            Span("0000000000000007", "0000000000000005", "pull", "StateSink", "sat", 6, 12, ("skylark.link.wait_ms", "9.26")),
        ]);

        var text = TraceTree.Render(trace);

        Assert.Equal(
            """
            Trace 4bf92f3577b34da6a3ce929d0e0e4736 of workflow cam-1-000001: 7 spans over 27.0 ms

                offset    duration  service       node      span
               +0.0 ms      2.0 ms  CameraIngest  edge      frame ingest
               +1.0 ms      0.5 ms  Broker        cloud       default receive
               +2.0 ms     25.0 ms  Broker        cloud         preprocess process
               +3.0 ms     24.0 ms  Broker        cloud           preprocess send
               +4.0 ms     20.0 ms  Functions     edge              preprocess process
               +5.0 ms      3.0 ms  Functions     edge                read frame [waited]
               +6.0 ms     12.0 ms  StateSink     sat                 pull

            Where the time went (sums; they overlap):
              broker queues            1.5 ms  (1 span)
              broker deliveries       24.0 ms  (1 span)
              functions               20.0 ms  (1 span)
              waiting for state        3.0 ms  (1 span)
              predictor decisions      0.0 ms  (0 spans)
              pulls across links      12.0 ms  (1 span)
              link wait                9.3 ms  (1 span)

            """.ReplaceLineEndings("\n"),
            text);
    }
}
