using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Skylark.Events.Hosting;

/// <summary>
/// The totals of one <see cref="Meter"/>'s counters and histograms since it was created, for the reports a service
/// shows in-process (the demo's, the benchmark's) without a second set of counters beside the exported instruments:
/// both read the same measurements. Listens to that meter object only, so several services of the same kind in one
/// process (the nodes of <c>skylark up</c>, each with its own meter from its own <see cref="IMeterFactory"/>) keep
/// their totals apart.
/// </summary>
public sealed class MeterTotals : IDisposable
{
    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Tags), Cell> _cells = new();

    /// <param name="meter">The meter whose measurements are totalled.</param>
    /// <param name="tallied">Which of its instruments (all when null).</param>
    public MeterTotals(Meter meter, Func<Instrument, bool>? tallied = null)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter) && !instrument.IsObservable && (tallied is null || tallied(instrument)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include every one of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) => (long)Math.Round(Matching(instrument, tags).Sum(c => c.Sum));

    /// <summary>As <see cref="Sum"/>, for instruments that measure fractions (durations in seconds).</summary>
    public double SumOf(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(c => c.Sum);

    /// <summary>How many measurements <paramref name="instrument"/> took with every one of <paramref name="tags"/>.</summary>
    public long Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(c => c.Count);

    /// <summary>The largest measurement, 0 when there was none.</summary>
    public double Max(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Select(c => c.Max).DefaultIfEmpty(0).Max();

    public void Dispose() => _listener.Dispose();

    private IEnumerable<Cell> Matching(string instrument, (string Key, string Value)[] tags)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instrument);
        ArgumentNullException.ThrowIfNull(tags);
        return _cells
            .Where(c => c.Key.Instrument.Name == instrument && tags.All(t => c.Value.Has(t.Key, t.Value)))
            .Select(c => c.Value);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = tags.Length == 0 ? "" : TagKey(tags);
        if (!_cells.TryGetValue((instrument, key), out var cell))
        {
            cell = _cells.GetOrAdd((instrument, key), new Cell(tags.ToArray()));
        }

        cell.Add(value);
    }

    private static string TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 1)
        {
            return $"{tags[0].Key}={tags[0].Value}";
        }

        var parts = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            parts[i] = $"{tags[i].Key}={tags[i].Value}";
        }

        Array.Sort(parts, StringComparer.Ordinal);
        return string.Join('\n', parts);
    }

    private sealed class Cell(KeyValuePair<string, object?>[] tags)
    {
        private readonly Lock _gate = new();
        private double _sum;
        private double _max;
        private long _count;

        public double Sum
        {
            get
            {
                lock (_gate)
                {
                    return _sum;
                }
            }
        }

        public double Max
        {
            get
            {
                lock (_gate)
                {
                    return _max;
                }
            }
        }

        public long Count => Interlocked.Read(ref _count);

        public bool Has(string key, string value) =>
            tags.Any(t => t.Key == key && string.Equals(Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture), value, StringComparison.Ordinal));

        public void Add(double value)
        {
            lock (_gate)
            {
                _sum += value;
                _max = _count == 0 ? value : Math.Max(_max, value);
                _count++;
            }
        }
    }
}
