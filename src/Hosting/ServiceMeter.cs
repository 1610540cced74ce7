using System.Diagnostics.Metrics;

namespace Skylark.Events.Hosting;

/// <summary>
/// The base of a service's metrics: its <see cref="System.Diagnostics.Metrics.Meter"/> (from the host's
/// <see cref="IMeterFactory"/>, so OpenTelemetry exports it at <c>/metrics</c>) and the <see cref="MeterTotals"/> its
/// in-process snapshot reads. A service records each event once, on an instrument.
/// </summary>
public abstract class ServiceMeter : IDisposable
{
    private readonly bool _ownsMeter;

    /// <param name="name">The meter's name, e.g. <c>Skylark.Events.StateSink</c>.</param>
    /// <param name="meterFactory">The host's; null (a service built by hand, a test) gives a meter of its own.</param>
    /// <param name="tallied">The instruments the snapshot reads (all when null); others cost nothing in-process.</param>
    protected ServiceMeter(string name, IMeterFactory? meterFactory, Func<Instrument, bool>? tallied = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Meter = meterFactory?.Create(name) ?? new Meter(name);
        _ownsMeter = meterFactory is null;
        Totals = new MeterTotals(Meter, tallied);
    }

    protected Meter Meter { get; }

    protected MeterTotals Totals { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        Totals.Dispose();
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
