namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// Where raised alarms go (MQTT topic <c>alarms/{camera}</c> in a deployment). Called before the alarm state is
/// stored, so a publisher that throws makes the delivery fail with 503 and be retried: alarms are delivered at least once.
/// </summary>
public interface IAlarmPublisher
{
    Task PublishAsync(AlarmNotice notice, CancellationToken cancellationToken);
}
