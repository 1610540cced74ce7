using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Skylark.Events.Tests.Lab.Emulation;

/// <summary>Client-side measurements over a real socket.</summary>
internal static class TcpClientProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(endPoint, cts.Token);
        return socket;
    }

    /// <summary>Round-trip time (ms) of a 32-byte message through an echo service.</summary>
    public static async Task<double> PingAsync(Socket socket)
    {
        var message = new byte[32];
        Random.Shared.NextBytes(message);
        var started = Stopwatch.GetTimestamp();
        await socket.SendAsync(message, SocketFlags.None);
        var echoed = await ReceiveExactlyAsync(socket, message.Length);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Assert.Equal(message, echoed);
        return elapsed;
    }

    /// <summary>Median RTT of <paramref name="samples"/> pings after <paramref name="warmUp"/> discarded ones (JIT, pools, first timers).</summary>
    public static async Task<double> MedianPingAsync(Socket socket, int samples = 21, int warmUp = 3)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await PingAsync(socket);
        }

        var rtts = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            rtts[i] = await PingAsync(socket);
        }

        Array.Sort(rtts);
        return rtts[samples / 2];
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        using var cts = new CancellationTokenSource(Timeout);
        var received = 0;
        while (received < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new IOException($"connection closed after {received} of {count} bytes.");
            }

            received += n;
        }

        return buffer;
    }

    /// <summary>Reads until the peer closes; true when it did so in time (cleanly or with a reset).</summary>
    public static async Task<bool> SeesCloseAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="size"/> bytes to an echo service and reads them all back; returns elapsed ms.</summary>
    public static async Task<double> EchoBulkAsync(Socket socket, int size)
    {
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        var started = Stopwatch.GetTimestamp();
        var receiving = ReceiveExactlyAsync(socket, size);
        await socket.SendAsync(payload, SocketFlags.None);
        var echoed = await receiving;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Assert.Equal(payload, echoed);
        return elapsed;
    }

    /// <summary>
    /// Sends <paramref name="size"/> bytes on a new connection to a <see cref="LoopbackTcpServer.Sink"/> and waits for
    /// its one-byte acknowledgement; returns elapsed ms.
    /// </summary>
    public static async Task<double> UploadAsync(IPEndPoint endPoint, long size)
    {
        using var socket = await ConnectAsync(endPoint);
        var block = new byte[256 * 1024];
        Random.Shared.NextBytes(block);
        var started = Stopwatch.GetTimestamp();
        for (long sent = 0; sent < size; sent += block.Length)
        {
            await socket.SendAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - sent)), SocketFlags.None);
        }

        await ReceiveExactlyAsync(socket, 1);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
