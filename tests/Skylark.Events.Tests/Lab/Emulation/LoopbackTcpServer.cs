using System.Net;
using System.Net.Sockets;

namespace Skylark.Events.Tests.Lab.Emulation;

/// <summary>A real TCP server on 127.0.0.1:0 running one handler per connection; disposal closes everything.</summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _disposed;

    private LoopbackTcpServer(Func<Socket, CancellationToken, Task> handler)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = Task.Run(() => AcceptAsync(handler));
    }

    public IPEndPoint EndPoint { get; }

    public static LoopbackTcpServer Start(Func<Socket, CancellationToken, Task> handler) => new(handler);

    /// <summary>Writes back whatever it reads; passes the client's half-close on.</summary>
    public static LoopbackTcpServer Echo() => Start(async (socket, ct) =>
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
        }
    });

    /// <summary>Reads <paramref name="expectedBytes"/>, then answers with one byte.</summary>
    public static LoopbackTcpServer Sink(long expectedBytes) => Start(async (socket, ct) =>
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        while (received < expectedBytes)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                return;
            }

            received += n;
        }

        await socket.SendAsync(new byte[] { 1 }, SocketFlags.None, ct);
    });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<Socket, CancellationToken, Task> handler)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            lock (_connections)
            {
                _connections.Add(RunAsync(socket, handler));
            }
        }
    }

    private async Task RunAsync(Socket socket, Func<Socket, CancellationToken, Task> handler)
    {
        using (socket)
        {
            try
            {
                await handler(socket, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The peer went away or the server is stopping.
            }
        }
    }
}
