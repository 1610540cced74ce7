using System.Net;
using System.Net.Sockets;
using Skylark.Events.Lab.Hosting;

namespace Skylark.Events.Tests.Lab.Hosting;

public sealed class ReservedPortsTests
{
    [Fact]
    public void Reserved_ports_are_distinct_bindable_and_below_the_ephemeral_range_port_0_binds_use()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 20).Select(_ => ReservedPorts.Reserve()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 20000, ephemeralStart - 1));
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start();
        Assert.Equal(ports[0], ((IPEndPoint)listener.LocalEndpoint).Port);
    }
}
