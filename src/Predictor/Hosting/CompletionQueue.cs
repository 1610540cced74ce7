using System.Threading.Channels;
using Skylark.Events.Predictor.Completions;

namespace Skylark.Events.Predictor.Hosting;

/// <summary>
/// Completions accepted by <c>POST /</c> and not yet decided on. Bounded: when it is full the endpoint answers 503
/// and the broker retries, instead of the Predictor buffering without limit. One reader keeps the event order,
/// which the learning relies on.
/// </summary>
public sealed class CompletionQueue
{
    private readonly Channel<Completion> _channel;

    public CompletionQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _channel = Channel.CreateBounded<Completion>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int Capacity { get; }

    public int Count => _channel.Reader.Count;

    /// <summary>False when the queue is full or closed for shutdown.</summary>
    public bool TryEnqueue(Completion completion) => _channel.Writer.TryWrite(completion);

    /// <summary>Stops accepting; what is queued can still be read.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    public ChannelReader<Completion> Reader => _channel.Reader;
}
