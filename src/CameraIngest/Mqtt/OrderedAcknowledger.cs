namespace Skylark.Events.CameraIngest.Mqtt;

/// <summary>
/// Sends QoS 1 acknowledgements in the order the messages arrived, as MQTT requires of a receiver, although the bridge
/// finishes them out of order (several workers). A message is acknowledged only after it was delivered or
/// dead-lettered, so the broker's receive maximum holds back further messages while the bridge is busy.
/// </summary>
internal sealed class OrderedAcknowledger
{
    private readonly Lock _gate = new();
    private readonly Queue<PendingAcknowledgement> _pending = new();
    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>Messages received on the current connection (or still being finished) and not yet acknowledged.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public PendingAcknowledgement Track(Func<CancellationToken, Task> acknowledge, long connection)
    {
        var pending = new PendingAcknowledgement(acknowledge, connection);
        lock (_gate)
        {
            _pending.Enqueue(pending);
        }

        return pending;
    }

    /// <summary>Forgets messages of connections before <paramref name="connection"/>: the broker resends them on the new one.</summary>
    public void Reset(long connection)
    {
        lock (_gate)
        {
            var keep = _pending.Where(p => p.Connection >= connection).ToList();
            _pending.Clear();
            foreach (var pending in keep)
            {
                _pending.Enqueue(pending);
            }
        }
    }

    /// <summary>Marks <paramref name="done"/> finished and sends every acknowledgement that is now at the head of the line.</summary>
    public async Task CompleteAsync(PendingAcknowledgement done, long currentConnection, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<PendingAcknowledgement> ready = [];
            lock (_gate)
            {
                done.Done = true;
                while (_pending.TryPeek(out var head) && head.Done)
                {
                    ready.Add(_pending.Dequeue());
                }
            }

            foreach (var pending in ready)
            {
                if (pending.Connection == currentConnection)
                {
                    await pending.Acknowledge(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }
}
