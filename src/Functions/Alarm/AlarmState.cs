namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// A camera's debounce state (the <c>state</c> item of <c>alarm.state</c>): its most recent observations, newest last
/// (at most <see cref="AlarmSettings.WindowSize"/>), and when each zone last raised (only zones still cooling down).
/// </summary>
public sealed record AlarmState(IReadOnlyList<AlarmObservation> Observations, IReadOnlyDictionary<string, DateTimeOffset> LastRaised)
{
    public static AlarmState Empty { get; } = new([], new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal));
}

/// <summary>One detect result the alarm saw: its workflow (to recognise redeliveries), when, and the zones with detections.</summary>
public sealed record AlarmObservation(string WorkflowId, DateTimeOffset At, IReadOnlyList<string> Zones);
