using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Topology;

namespace Skylark.Events.Lab.Emulation;

/// <summary>
/// A TCP proxy that makes a loopback connection behave like a network link: each direction is paced to
/// the link bandwidth (a virtual wire, equivalent to a token bucket with a small burst) and every chunk
/// is delivered one latency after its last bit left the sender. Chunks carry their own due times and are
/// released independently, so latency adds delay without cutting throughput (a pipe, not stop-and-wait).
/// Protocol-agnostic: HTTP, Redis and anything else over TCP.
/// </summary>
/// <remarks>
/// Conditions come from a provider called for every chunk, so a topology snapshot change applies to
/// connections already open. A null result means the link is down: the direction stops reading (the
/// sender sees TCP backpressure) until the provider returns conditions again. All connections through
/// one proxy share its bandwidth, per direction. Connection setup itself is not delayed.
/// <see cref="LinkEmulator"/> gives each direction the physical links of its path instead, shared with
/// every other proxy whose path crosses them (see <see cref="ILinkWire"/>).
/// </remarks>
public sealed class LinkProxy : IAsyncDisposable
{
    /// <summary>
    /// Kernel receive buffer of the proxy's sockets. The proxy reads in paced bursts and stops reading
    /// under backpressure; with a small (autotuned) buffer on loopback, whose segment size is 64 KiB,
    /// freeing less than one segment does not reopen a zero window and the sender sits out a
    /// zero-window probe timeout (200 ms and more). A buffer of many segments avoids those stalls.
    /// </summary>
    private const int SocketReceiveBuffer = 1024 * 1024;

    private readonly Socket _listener;
    private readonly LinkProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly Task _acceptLoop;
    private readonly ILinkWire _toTargetWire;
    private readonly ILinkWire _fromTargetWire;
    private long _nextConnectionId;
    private long _bytesToTarget;
    private long _bytesFromTarget;
    private int _disposed;

    private LinkProxy(Socket listener, EndPoint target, ILinkWire toTarget, ILinkWire fromTarget, LinkProxyOptions options, TimeProvider time, ILogger logger)
    {
        _listener = listener;
        _options = options;
        _time = time;
        _logger = logger;
        Target = target;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _toTargetWire = toTarget;
        _fromTargetWire = fromTarget;
        // Off the caller's SynchronizationContext (a UI or test runner context would otherwise run every
        // chunk of every connection on its few threads).
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stopping.Token));
    }

    /// <summary>Where clients connect (127.0.0.1 and the bound port).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Where the proxy forwards to.</summary>
    public EndPoint Target { get; }

    public int ActiveConnections => _connections.Count;

    /// <summary>Payload bytes delivered to the target so far.</summary>
    public long BytesToTarget => Interlocked.Read(ref _bytesToTarget);

    /// <summary>Payload bytes delivered back to clients so far.</summary>
    public long BytesFromTarget => Interlocked.Read(ref _bytesFromTarget);

    /// <summary>Binds a listener (127.0.0.1, port 0 unless <paramref name="listenOn"/> says otherwise) and starts accepting.</summary>
    public static LinkProxy Start(
        EndPoint target,
        Func<LinkConditions?> conditions,
        LinkProxyOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        IPEndPoint? listenOn = null)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        timeProvider ??= TimeProvider.System;
        return Start(target, new ConditionsWire(conditions, timeProvider), new ConditionsWire(conditions, timeProvider), options, timeProvider, logger, listenOn);
    }

    /// <summary>Static conditions, for a link that never changes.</summary>
    public static LinkProxy Start(EndPoint target, LinkConditions conditions, LinkProxyOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null) =>
        Start(target, () => conditions, options, timeProvider, logger);

    /// <summary>
    /// A proxy whose directions put their chunks on the given wires; <paramref name="timeProvider"/> must be
    /// the one the wires compute departure times with.
    /// </summary>
    internal static LinkProxy Start(
        EndPoint target,
        ILinkWire toTarget,
        ILinkWire fromTarget,
        LinkProxyOptions? options,
        TimeProvider? timeProvider,
        ILogger? logger,
        IPEndPoint? listenOn = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(toTarget);
        ArgumentNullException.ThrowIfNull(fromTarget);
        options ??= new LinkProxyOptions();
        options.Validate();
        listenOn ??= new IPEndPoint(IPAddress.Loopback, 0);
        var listener = new Socket(listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Set before listening so accepted sockets inherit it and the window scale is negotiated for it.
            listener.ReceiveBufferSize = SocketReceiveBuffer;
            listener.Bind(listenOn);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new LinkProxy(listener, target, toTarget, fromTarget, options, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
    }

    /// <summary>Stops accepting, closes every connection and waits for their loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "Link proxy {EndPoint} failed to accept a connection", EndPoint);
                continue;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                _logger.LogWarning("Link proxy {EndPoint} refused a connection: {Max} already open", EndPoint, _options.MaxConnections);
                client.Dispose();
                continue;
            }

            // Registered before it starts, so a connection that ends at once cannot be removed before it was added.
            var id = Interlocked.Increment(ref _nextConnectionId);
            var start = new Task<Task>(() => ServeAsync(id, client, stopping));
            var connection = start.Unwrap();
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            start.Start(TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(long id, Socket client, CancellationToken stopping)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var upstream = new Socket(Target.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var downstream = client;
        try
        {
            // Nagle would hold back small writes for up to one round trip of the real socket, adding latency we did not ask for.
            client.NoDelay = true;
            upstream.NoDelay = true;
            upstream.ReceiveBufferSize = SocketReceiveBuffer;
            await upstream.ConnectAsync(Target, connection.Token);
            _logger.LogDebug("Link proxy {EndPoint} connection {Id} open to {Target}", EndPoint, id, Target);

            var toTarget = PumpAsync(client, upstream, isToTarget: true, connection);
            var fromTarget = PumpAsync(upstream, client, isToTarget: false, connection);
            await Task.WhenAll(toTarget, fromTarget);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or ChannelClosedException)
        {
            if (!stopping.IsCancellationRequested)
            {
                _logger.LogDebug(ex, "Link proxy {EndPoint} connection {Id} ended abruptly", EndPoint, id);
            }
        }
#pragma warning disable CA1031 // one broken connection must not take down the proxy
        catch (Exception ex)
        {
            _logger.LogError(ex, "Link proxy {EndPoint} connection {Id} failed", EndPoint, id);
        }
#pragma warning restore CA1031
        finally
        {
            await connection.CancelAsync();
        }
    }

    /// <summary>
    /// One direction: a reader that schedules each chunk on the shared wire and queues it with its due
    /// time, and a writer that releases chunks at their due times. A failure on either side cancels the
    /// whole connection.
    /// </summary>
    private async Task PumpAsync(Socket source, Socket destination, bool isToTarget, CancellationTokenSource connection)
    {
        var queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(_options.MaxQueuedChunks)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var reading = ReadAsync(source, queue.Writer, isToTarget ? _toTargetWire : _fromTargetWire, connection.Token);
        var writing = WriteAsync(queue.Reader, destination, isToTarget, connection.Token);
        try
        {
            await Task.WhenAll(reading, writing);
        }
        catch
        {
            await connection.CancelAsync();
            throw;
        }
        finally
        {
            // Whatever is still queued after a failure goes back to the pool.
            while (queue.Reader.TryRead(out var leftover))
            {
                ArrayPool<byte>.Shared.Return(leftover.Buffer);
            }
        }
    }

    private async Task ReadAsync(Socket source, ChannelWriter<Chunk> queue, ILinkWire wire, CancellationToken cancellationToken)
    {
        var flow = new WireFlow(_options.MaxQueuedChunks + 2);
        var readBuffer = ArrayPool<byte>.Shared.Rent(_options.ChunkBytes);
        try
        {
            while (true)
            {
                var readSize = _options.ReadSize(await BytesPerSecondAsync(wire, cancellationToken));
                var length = await source.ReceiveAsync(readBuffer.AsMemory(0, readSize), SocketFlags.None, cancellationToken);
                if (length == 0)
                {
                    return;
                }

                // Scheduled with the conditions of now: the receive may have waited through a snapshot change.
                ScheduledChunk scheduled;
                while (!wire.TrySchedule(flow, _time.GetTimestamp(), length, _options.BurstBytes, out scheduled))
                {
                    await Task.Delay(_options.DownPollInterval, _time, cancellationToken);
                }

                flow.Add(scheduled.Departure, length);
                var due = scheduled.Due;

                // Queued chunks hold just their bytes, so many small messages do not pin many full read buffers.
                var chunk = ArrayPool<byte>.Shared.Rent(length);
                readBuffer.AsSpan(0, length).CopyTo(chunk);
                if (!queue.TryWrite(new Chunk(chunk, length, due)))
                {
                    try
                    {
                        await queue.WriteAsync(new Chunk(chunk, length, due), cancellationToken);
                    }
                    catch
                    {
                        ArrayPool<byte>.Shared.Return(chunk);
                        throw;
                    }
                }

                // Keep at most MaxQueueDelay of own data scheduled ahead, counted at this connection's fair share
                // of its busiest link, so n connections on one link queue MaxQueueDelay together and share it
                // evenly; the rest waits in the sender's TCP buffers. Past the limit, sleep until only half of
                // it is left, so one (coarse, late) timer wake-up refills half a queue rather than a single
                // chunk: the wire must never run dry.
                var now = _time.GetTimestamp();
                var limit = Math.Max(2.0 * length, _options.MaxQueueDelay.TotalSeconds * scheduled.FairBytesPerSecond);
                if (flow.BacklogBytes(now) > limit)
                {
                    await Task.Delay(_time.GetElapsedTime(now, Math.Max(now, flow.DrainedTo((long)(limit / 2)))), _time, cancellationToken);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(readBuffer);
            queue.TryComplete();
        }
    }

    private async Task WriteAsync(ChannelReader<Chunk> queue, Socket destination, bool isToTarget, CancellationToken cancellationToken)
    {
        await foreach (var chunk in queue.ReadAllAsync(cancellationToken))
        {
            try
            {
                await DelayUntilAsync(chunk.Due, cancellationToken);
                var remaining = chunk.Buffer.AsMemory(0, chunk.Length);
                while (!remaining.IsEmpty)
                {
                    var sent = await destination.SendAsync(remaining, SocketFlags.None, cancellationToken);
                    remaining = remaining[sent..];
                }

                Interlocked.Add(ref isToTarget ? ref _bytesToTarget : ref _bytesFromTarget, chunk.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }

        // The sender closed its side: pass the half-close on once everything before it was delivered.
        destination.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// Waits until <paramref name="due"/> (a <see cref="TimeProvider"/> timestamp), never returning early.
    /// On the real clock this uses <see cref="PreciseDelay"/>: timer-queue delays are quantised to the
    /// kernel tick and would add up to 4 ms per hop. Other providers (test clocks) are simply awaited.
    /// </summary>
    private async ValueTask DelayUntilAsync(long due, CancellationToken cancellationToken)
    {
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            await PreciseDelay.Shared.UntilAsync(due, cancellationToken);
            return;
        }

        var remaining = _time.GetElapsedTime(_time.GetTimestamp(), due);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, cancellationToken);
        }
    }

    /// <summary>The wire's current rate, waiting while it is down.</summary>
    private async ValueTask<double> BytesPerSecondAsync(ILinkWire wire, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (wire.TryGetBytesPerSecond(out var bytesPerSecond))
            {
                return bytesPerSecond;
            }

            await Task.Delay(_options.DownPollInterval, _time, cancellationToken);
        }
    }

    private readonly record struct Chunk(byte[] Buffer, int Length, long Due);
}
