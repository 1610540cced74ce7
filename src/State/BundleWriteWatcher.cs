using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skylark.Events.Contracts;
using StackExchange.Redis;

namespace Skylark.Events.State;

/// <summary>
/// Waits for bundles to be written on this node: the peer API's long poll (<c>?wait=</c>) answers a fetch the moment
/// a bundle still being produced here is written, or streams it while it is written item by item. One per node, on the
/// node's shared multiplexer: it subscribes once (lazily) to <see cref="BundleKeys.WrittenChannel"/>, which every write
/// announces, and <see cref="BundleKeys.StagedChannel"/>, which every item of a progressive write (and its abandonment)
/// announces. Pub/sub is at most once (a message published while the connection is re-established is lost), so every
/// waiter also re-checks Redis every <see cref="RecheckInterval"/>. Bounded: beyond <see cref="MaxWaiters"/> waiters,
/// new waits are refused.
/// </summary>
public sealed partial class BundleWriteWatcher : IDisposable
{
    /// <summary>How often a waiter re-checks Redis when no announcement arrived.</summary>
    public static readonly TimeSpan DefaultRecheckInterval = TimeSpan.FromMilliseconds(250);

    private readonly IConnectionMultiplexer _redis;
    private readonly BundleStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisChannel _channel;
    private readonly RedisChannel _stagedChannel;
    private readonly Action<RedisChannel, RedisValue> _handler;
    private readonly Dictionary<string, List<Waiter>> _waiters = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task<bool>? _subscribed;
    private int _count;
    private volatile bool _disposed;

    /// <param name="redis">The node's shared multiplexer (its subscriber connection is shared too).</param>
    /// <param name="store">This node's store; only its key scheme and version reads are used.</param>
    /// <param name="maxWaiters">Most waits at once; more are refused with <see cref="StateUnavailableException"/>.</param>
    /// <param name="recheckInterval">How often a waiter re-checks without an announcement; <see cref="DefaultRecheckInterval"/> when null.</param>
    /// <param name="timeProvider">Times waits and re-checks.</param>
    /// <param name="logger">Reports a subscription that failed (waits then rely on re-checks).</param>
    public BundleWriteWatcher(
        IConnectionMultiplexer redis,
        BundleStore store,
        int maxWaiters = 4096,
        TimeSpan? recheckInterval = null,
        TimeProvider? timeProvider = null,
        ILogger<BundleWriteWatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWaiters, 1);
        var recheck = recheckInterval ?? DefaultRecheckInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(recheck, TimeSpan.Zero, nameof(recheckInterval));
        _redis = redis;
        _store = store;
        MaxWaiters = maxWaiters;
        RecheckInterval = recheck;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _channel = RedisChannel.Literal(store.Keys.WrittenChannel);
        _stagedChannel = RedisChannel.Literal(store.Keys.StagedChannel);
        _handler = (channel, message) => Announce(message, staged: channel == _stagedChannel);
    }

    public int MaxWaiters { get; }

    public TimeSpan RecheckInterval { get; }

    /// <summary>Waits in progress.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The version of <paramref name="stateRef"/>'s bundle (whatever node the ref names: the key is the same) as soon
    /// as this node holds it: at once when it does already, or null when <paramref name="wait"/> elapses first.
    /// </summary>
    /// <exception cref="StateUnavailableException"><see cref="MaxWaiters"/> waits are already in progress.</exception>
    /// <exception cref="RedisException">This node's Redis could not be read.</exception>
    public async Task<long?> WaitForAsync(StateRef stateRef, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (wait == TimeSpan.Zero)
        {
            return await _store.GetVersionAsync(stateRef, cancellationToken).ConfigureAwait(false);
        }

        var key = _store.Keys.Key(stateRef);

        // Registered before the first check, so a write between the check and the wait still wakes this waiter.
        var waiter = Register(stateRef, key, wantsStaged: false);
        try
        {
            await SubscribeAsync().ConfigureAwait(false);
            var started = _time.GetTimestamp();
            while (true)
            {
                var signal = waiter.Arm();
                if (await _store.GetVersionAsync(stateRef, cancellationToken).ConfigureAwait(false) is { } version)
                {
                    return version;
                }

                var left = wait - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    return null;
                }

                await WaitForSignalAsync(signal, left < RecheckInterval ? left : RecheckInterval, cancellationToken).ConfigureAwait(false);
                ObjectDisposedException.ThrowIf(_disposed, this);
            }
        }
        finally
        {
            Unregister(key, waiter);
        }
    }

    /// <summary>
    /// Watches <paramref name="stateRef"/>'s bundle (whatever node the ref names) for every write and every item staged
    /// or abandoned: call <see cref="BundleWatch.Arm"/> before each look at Redis and <see cref="BundleWatch.WaitAsync"/>
    /// after it, so nothing announced in between is missed. Counts as one of <see cref="MaxWaiters"/> until disposed.
    /// </summary>
    /// <exception cref="StateUnavailableException"><see cref="MaxWaiters"/> waits are already in progress.</exception>
    public async Task<BundleWatch> WatchAsync(StateRef stateRef)
    {
        ArgumentNullException.ThrowIfNull(stateRef);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var key = _store.Keys.Key(stateRef);
        var watch = new BundleWatch(this, key, Register(stateRef, key, wantsStaged: true));
        try
        {
            await SubscribeAsync().ConfigureAwait(false);
            return watch;
        }
        catch
        {
            watch.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Task<bool>? subscribed;
        List<Waiter> waiting;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscribed = _subscribed;
            waiting = [.. _waiters.Values.SelectMany(w => w)];
        }

        // Wake every waiter: each sees the disposal and ends.
        foreach (var waiter in waiting)
        {
            waiter.Pulse();
        }

        if (subscribed is not null)
        {
            // Only this watcher's handler: the multiplexer (and its other subscriptions) belong to the node.
            _redis.GetSubscriber().Unsubscribe(_channel, _handler, CommandFlags.FireAndForget);
            _redis.GetSubscriber().Unsubscribe(_stagedChannel, _handler, CommandFlags.FireAndForget);
        }
    }

    private async Task WaitForSignalAsync(Task signal, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(delay, _time, stop.Token);
        await Task.WhenAny(signal, timer).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private Task SubscribeAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_subscribed is null || (_subscribed.IsCompletedSuccessfully && !_subscribed.Result))
            {
                _subscribed = SubscribeOnceAsync();
            }

            return _subscribed;
        }
    }

    /// <returns>False when the subscription failed: waits still work, only slower (re-checks), and the next wait tries again.</returns>
    private async Task<bool> SubscribeOnceAsync()
    {
        try
        {
            var subscriber = _redis.GetSubscriber();
            await subscriber.SubscribeAsync(_channel, _handler).ConfigureAwait(false);
            await subscriber.SubscribeAsync(_stagedChannel, _handler).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            LogSubscribeFailed(_channel.ToString(), error.Message);
            return false;
        }
    }

    private Waiter Register(StateRef stateRef, string key, bool wantsStaged)
    {
        var waiter = new Waiter(wantsStaged);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_count >= MaxWaiters)
            {
                throw new StateUnavailableException(stateRef, $"{MaxWaiters} waits for bundle writes are already in progress on node '{_store.Node}' (StateOptions.MaxWriteWaiters).");
            }

            if (!_waiters.TryGetValue(key, out var list))
            {
                _waiters[key] = list = [];
            }

            list.Add(waiter);
            _count++;
        }

        return waiter;
    }

    private void Unregister(string key, Waiter waiter)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(key, out var list) && list.Remove(waiter))
            {
                _count--;
                if (list.Count == 0)
                {
                    _waiters.Remove(key);
                }
            }
        }
    }

    private void Announce(RedisValue message, bool staged)
    {
        var key = (string?)message;
        if (key is null)
        {
            return;
        }

        Waiter[] waiting;
        lock (_gate)
        {
            if (!_waiters.TryGetValue(key, out var list))
            {
                return;
            }

            waiting = [.. list];
        }

        foreach (var waiter in waiting)
        {
            // Waiters for a complete write need not re-check Redis for every item staged.
            if (!staged || waiter.WantsStaged)
            {
                waiter.Pulse();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to {Channel}; waits for writes fall back to re-checks: {Reason}")]
    private partial void LogSubscribeFailed(string channel, string reason);

    /// <summary>One wait: a signal re-armed before every check, so an announcement between check and wait is never lost.</summary>
    internal sealed class Waiter(bool wantsStaged)
    {
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool WantsStaged { get; } = wantsStaged;

        public Task Arm()
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _signal, fresh);
            return fresh.Task;
        }

        public void Pulse() => Volatile.Read(ref _signal).TrySetResult();
    }

    /// <summary>A registration of <see cref="WatchAsync"/>; dispose it to stop watching.</summary>
    public sealed class BundleWatch : IDisposable
    {
        private readonly BundleWriteWatcher _owner;
        private readonly string _key;
        private readonly Waiter _waiter;
        private int _disposed;

        internal BundleWatch(BundleWriteWatcher owner, string key, Waiter waiter)
        {
            _owner = owner;
            _key = key;
            _waiter = waiter;
        }

        /// <summary>Call before each look at Redis: the task completes at the next announcement for the bundle.</summary>
        public Task Arm() => _waiter.Arm();

        /// <summary>
        /// Waits until <paramref name="armed"/> completes or <paramref name="atMost"/> (capped at
        /// <see cref="RecheckInterval"/>, so a lost announcement costs at most that) has passed.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The watcher was disposed (the node is shutting down).</exception>
        public async Task WaitAsync(Task armed, TimeSpan atMost, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(armed);
            var delay = atMost < _owner.RecheckInterval ? atMost : _owner.RecheckInterval;
            if (delay > TimeSpan.Zero)
            {
                await _owner.WaitForSignalAsync(armed, delay, cancellationToken).ConfigureAwait(false);
            }

            ObjectDisposedException.ThrowIf(_owner._disposed, _owner);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Unregister(_key, _waiter);
            }
        }
    }
}
