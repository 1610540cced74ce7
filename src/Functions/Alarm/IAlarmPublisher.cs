namespace Skylark.Events.Functions.Alarm;

/// <summary>An alarm raised for a zone of a camera's view, for whoever must react (a siren, an operator's screen).</summary>
public sealed record AlarmNotice(string Camera, string WorkflowId, string Zone, DateTimeOffset RaisedAt, int Detections);

/// <summary>Tells the outside world about an alarm.</summary>
public interface IAlarmPublisher
{
    Task PublishAsync(AlarmNotice notice, CancellationToken ct);
}
