namespace Skylark.Events.Functions.Alarm;

/// <summary>The default publisher: alarms go to the log only (the MQTT publisher replaces it in a deployment).</summary>
public sealed partial class LoggingAlarmPublisher(ILogger<LoggingAlarmPublisher> logger) : IAlarmPublisher
{
    public Task PublishAsync(AlarmNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        LogAlarm(notice.Camera, string.Join(",", notice.Zones), notice.WorkflowId, notice.RaisedAt);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ALARM camera {Camera} zones {Zones} (workflow {WorkflowId}) at {RaisedAt}")]
    private partial void LogAlarm(string camera, string zones, string workflowId, DateTimeOffset raisedAt);
}
