using System.Runtime.InteropServices;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// Stops a long-running command on Ctrl-C (which System.CommandLine turns into the given token) or SIGTERM (what
/// <c>kill</c>, systemd and Kubernetes send), so it can shut down everything it started instead of dying mid-way.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigterm;

    public StopSignal(CancellationToken commandToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        var stop = _stop;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
    }

    public CancellationToken Token => _stop.Token;

    public bool IsStopping => _stop.IsCancellationRequested;

    public void Dispose()
    {
        _sigterm.Dispose();
        _stop.Dispose();
    }
}
