using System.Net;
using System.Net.Sockets;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// Loopback ports chosen before the server that will listen on them starts (so its peers can be told the address
/// first). A port the kernel handed out for port 0 and that we released may be handed out again to the next socket
/// anyone binds, so these come from below the kernel's ephemeral range, which port-0 binds never use, and a port is not
/// handed out twice by this process.
/// </summary>
public static class ReservedPorts
{
    private const int Lowest = 20000;
    private const int DefaultEphemeralStart = 32768;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Handed = [];

    /// <exception cref="InvalidOperationException">No free port was found.</exception>
    public static int Reserve()
    {
        var below = EphemeralStart();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            lock (Gate)
            {
                if (Handed.Contains(port) || !IsFree(port))
                {
                    continue;
                }

                Handed.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port between {Lowest} and {below}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out var start) && start > Lowest + 1000 ? start : DefaultEphemeralStart;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return DefaultEphemeralStart;
        }
    }
}
