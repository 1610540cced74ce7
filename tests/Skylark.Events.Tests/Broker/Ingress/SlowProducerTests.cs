using System.Net;
using System.Net.Sockets;
using System.Text;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Ingress;

/// <summary>
/// The standalone broker facing a producer that sends its event too slowly: Kestrel's minimum body data rate ends
/// the read, and the producer gets a 408 saying why while the broker logs one line — not an unhandled error with a
/// stack trace per connection, which anyone able to reach the ingress could repeat at will.
/// </summary>
public sealed class SlowProducerTests
{
    [Fact]
    public async Task A_producer_sending_its_event_too_slowly_gets_408_with_a_text_and_the_broker_logs_one_line()
    {
        await using var broker = ServiceProcess.Start(
            "Skylark.Events.Broker",
            new Dictionary<string, string>
            {
                ["SKYLARK_EVENTING"] = RepositoryPaths.InRoot("eventing"),
                ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            });
        var url = await broker.ListeningAsync();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, url.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /skylark/default HTTP/1.1\r\nHost: test\r\nce-specversion: 1.0\r\nce-id: slow-1\r\nce-source: /test\r\n" +
            "ce-type: io.skylark.test\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"slow\":"));

        // Kestrel's default minimum rate (240 bytes/s after a 5 s grace period) ends the read; then the answer, then close.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var response = Encoding.UTF8.GetString(received.ToArray());
        await Poll.UntilAsync(() => broker.StandardOutput.Contains("refused with 408", StringComparison.Ordinal), "the broker logs the refusal");

        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\n\r\n408 Request Timeout: Reading the request body timed out due to data arriving too slowly.", response, StringComparison.Ordinal);
        var logged = broker.StandardOutput + broker.StandardError;
        Assert.Single(logged.Split('\n'), line => line.Contains("refused with 408", StringComparison.Ordinal));
        Assert.DoesNotContain("fail:", logged, StringComparison.Ordinal);
        // The refusal is one line, with no stack trace after it. (The shipped PingSource's sink has a cluster name that
        // does not resolve here; its warning, when it fires during the test, is not the refusal's.)
        var lines = logged.Split('\n');
        var refusal = Array.FindIndex(lines, line => line.Contains("refused with 408", StringComparison.Ordinal));
        Assert.False(
            refusal + 1 < lines.Length && lines[refusal + 1].StartsWith("   at ", StringComparison.Ordinal),
            $"the refusal was logged with a stack trace: {lines[refusal + 1]}");
    }
}
