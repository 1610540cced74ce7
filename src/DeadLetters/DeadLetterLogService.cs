namespace Skylark.Events.DeadLetters;

/// <summary>
/// Opens the log before the server takes requests (<see cref="IHostedLifecycleService.StartingAsync"/> runs before any
/// hosted service starts, Kestrel included) and closes it after the server has finished the requests in flight.
/// </summary>
internal sealed class DeadLetterLogService(DeadLetterLog log) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => log.OpenAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => log.DisposeAsync().AsTask();
}
