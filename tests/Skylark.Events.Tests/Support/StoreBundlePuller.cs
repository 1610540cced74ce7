using System.Collections.Concurrent;
using Skylark.Events.Contracts;
using Skylark.Events.State;

namespace Skylark.Events.Tests.Support;

/// <summary>
/// An <see cref="IBundlePuller"/> that reads from other nodes' real <see cref="BundleStore"/>s directly, standing in
/// for the StateSink's HTTP transport. It counts calls per node and can hold pulls at a gate, so tests can observe
/// single-flight behaviour deterministically.
/// </summary>
public sealed class StoreBundlePuller : IBundlePuller
{
    private readonly IReadOnlyDictionary<string, BundleStore> _nodes;
    private readonly ConcurrentDictionary<string, int> _callsPerNode = new(StringComparer.Ordinal);
    private int _calls;
    private int _batchCalls;

    public StoreBundlePuller(params BundleStore[] nodes) => _nodes = nodes.ToDictionary(n => n.Node, StringComparer.Ordinal);

    /// <summary>When set, every pull waits for this before reading.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed as soon as a pull has started (before the gate).</summary>
    public TaskCompletionSource PullStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Calls of PullAsync plus PullManyAsync.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public int BatchCalls => Volatile.Read(ref _batchCalls);

    public int CallsTo(string node) => _callsPerNode.GetValueOrDefault(node);

    public async Task<Bundle?> PullAsync(StateRef source, CancellationToken cancellationToken)
    {
        var store = await EnterAsync(source.Node, cancellationToken);
        return await store.ReadAsync(source, cancellationToken);
    }

    public async Task<IReadOnlyList<Bundle?>> PullManyAsync(string node, IReadOnlyList<StateRef> sources, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batchCalls);
        var store = await EnterAsync(node, cancellationToken);
        return await store.ReadManyAsync(sources, cancellationToken);
    }

    private async Task<BundleStore> EnterAsync(string node, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _callsPerNode.AddOrUpdate(node, 1, (_, n) => n + 1);
        PullStarted.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return _nodes.TryGetValue(node, out var store)
            ? store
            : throw new HttpRequestException($"No route to node '{node}'.");
    }
}
