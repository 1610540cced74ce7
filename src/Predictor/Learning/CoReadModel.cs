using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Completions;

namespace Skylark.Events.Predictor.Learning;

/// <summary>
/// The stream bundles a function read last time for a camera (bundles of another workflow than the frame's own,
/// such as <c>camera-{camera}/detect.background</c>), and where each such bundle currently is: the node of its
/// latest write, else the node it was last read from. Those are the bundles worth moving along with the output
/// the successor reads. Bounded in sets, bundles per set, and tracked bundles. Not thread-safe; the owner serialises access.
/// </summary>
public sealed class CoReadModel
{
    private readonly Dictionary<(string Function, string Camera), CoReadSet> _sets = [];
    private readonly Dictionary<BundleIdentity, BundleLocation> _locations = [];
    private long _clock;

    public CoReadModel(int maxPerSet, int maxSets, int maxTrackedBundles)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPerSet);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrackedBundles, 1);
        MaxPerSet = maxPerSet;
        MaxSets = maxSets;
        MaxTrackedBundles = maxTrackedBundles;
    }

    public int MaxPerSet { get; }

    public int MaxSets { get; }

    public int MaxTrackedBundles { get; }

    public int SetCount => _sets.Count;

    public int TrackedBundles => _locations.Count;

    public void Observe(Completion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);

        // Reads happened before the writes of the same run, so writes win.
        foreach (var read in completion.Reads)
        {
            if (!read.IsAbsent)
            {
                Locate(read.Ref, read.Bytes);
            }
        }

        foreach (var write in completion.Writes)
        {
            Locate(write.Ref, write.Bytes);
        }

        Trim(_locations, MaxTrackedBundles, l => l.Touched);
        if (completion.Camera is not { } camera || MaxPerSet == 0)
        {
            return;
        }

        // Absent reads count too: the function wanted that bundle, and it may exist elsewhere by now.
        var identities = completion.Reads
            .Where(r => r.Ref.WorkflowId != completion.WorkflowId)
            .Select(r => new BundleIdentity(r.Ref.WorkflowId, r.Ref.Bundle))
            .Distinct()
            .Take(MaxPerSet)
            .ToArray();
        _sets[(completion.Function, camera)] = new CoReadSet(identities, ++_clock);
        Trim(_sets, MaxSets, s => s.Touched);
    }

    /// <summary>Where the bundles <paramref name="function"/> read last time for <paramref name="camera"/> are now, with their last known sizes.</summary>
    public IReadOnlyList<(StateRef Ref, long? Bytes)> Lookup(string function, string? camera)
    {
        if (camera is null || !_sets.TryGetValue((function, camera), out var set))
        {
            return [];
        }

        var found = new List<(StateRef, long?)>(set.Bundles.Length);
        foreach (var identity in set.Bundles)
        {
            if (_locations.TryGetValue(identity, out var location))
            {
                found.Add((new StateRef(location.Node, identity.WorkflowId, identity.Bundle), location.Bytes));
            }
        }

        return found;
    }

    public IEnumerable<(string Function, string Camera, IReadOnlyList<(string WorkflowId, string Bundle)> Bundles)> ExportSets() =>
        _sets.OrderBy(p => p.Value.Touched)
            .Select(p => (p.Key.Function, p.Key.Camera, (IReadOnlyList<(string, string)>)p.Value.Bundles.Select(b => (b.WorkflowId, b.Bundle)).ToList()));

    public IEnumerable<(StateRef Ref, long? Bytes)> ExportLocations() =>
        _locations.OrderBy(p => p.Value.Touched)
            .Select(p => (new StateRef(p.Value.Node, p.Key.WorkflowId, p.Key.Bundle), p.Value.Bytes));

    public void ImportSet(string function, string camera, IEnumerable<(string WorkflowId, string Bundle)> bundles)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        var identities = bundles
            .Where(b => StateRef.IsValidSegment(b.WorkflowId) && StateRef.IsValidSegment(b.Bundle))
            .Select(b => new BundleIdentity(b.WorkflowId, b.Bundle))
            .Distinct()
            .Take(MaxPerSet)
            .ToArray();
        _sets[(function, camera)] = new CoReadSet(identities, ++_clock);
        Trim(_sets, MaxSets, s => s.Touched);
    }

    public void ImportLocation(StateRef stateRef, long? bytes)
    {
        Locate(stateRef, bytes);
        Trim(_locations, MaxTrackedBundles, l => l.Touched);
    }

    public void Clear()
    {
        _sets.Clear();
        _locations.Clear();
    }

    private void Locate(StateRef stateRef, long? bytes)
    {
        var identity = new BundleIdentity(stateRef.WorkflowId, stateRef.Bundle);
        var known = _locations.GetValueOrDefault(identity);
        _locations[identity] = new BundleLocation(stateRef.Node, bytes ?? known?.Bytes, ++_clock);
    }

    private static void Trim<TKey, TValue>(Dictionary<TKey, TValue> entries, int max, Func<TValue, long> touched)
        where TKey : notnull
    {
        if (entries.Count <= max)
        {
            return;
        }

        var excess = entries.Count - max + Math.Max(1, max / 10);
        foreach (var key in entries.OrderBy(p => touched(p.Value)).Take(excess).Select(p => p.Key).ToList())
        {
            entries.Remove(key);
        }
    }

    private readonly record struct BundleIdentity(string WorkflowId, string Bundle);

    private sealed record BundleLocation(string Node, long? Bytes, long Touched);

    private sealed record CoReadSet(BundleIdentity[] Bundles, long Touched);
}
