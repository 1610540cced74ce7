using System.Collections.Concurrent;
using Skylark.Events.Functions.Alarm;

namespace Skylark.Events.Tests.Functions;

/// <summary>Our own publisher interface, implemented to record what the alarm published; can be told to fail.</summary>
internal sealed class RecordingAlarmPublisher : IAlarmPublisher
{
    private readonly ConcurrentQueue<AlarmNotice> _notices = new();

    public IReadOnlyList<AlarmNotice> Notices => [.. _notices];

    /// <summary>When set, publishing throws this.</summary>
    public Exception? Failure { get; set; }

    public Task PublishAsync(AlarmNotice notice, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        _notices.Enqueue(notice);
        return Task.CompletedTask;
    }
}
