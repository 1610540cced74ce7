using System.Net;
using System.Net.Sockets;
using System.Text;
using CloudNative.CloudEvents;

namespace Skylark.Events.Tests.Support;

/// <summary>Small CloudEvents and addresses for tests.</summary>
public static class TestEvents
{
    public static CloudEvent Create(string type = "io.skylark.test", string? id = null, string data = "hello") => new()
    {
        Id = id ?? Guid.NewGuid().ToString("N"),
        Source = new Uri("/tests", UriKind.Relative),
        Type = type,
        DataContentType = "text/plain",
        Data = Encoding.UTF8.GetBytes(data),
    };

    public static string DataText(CloudEvent cloudEvent) =>
        cloudEvent.Data switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => string.Empty,
            var other => other.ToString() ?? string.Empty,
        };

    /// <summary>A loopback URL nothing listens on (the port was just free), for an unreachable subscriber.</summary>
    public static Uri UnreachableUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
