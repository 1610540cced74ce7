namespace Skylark.Events.Broker.Sources;

internal static partial class PingSourceLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "PingSource {Source} started: schedule '{Schedule}' in {TimeZone}")]
    public static partial void Started(ILogger logger, string source, string schedule, string timeZone);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "PingSource {Source} stopped after {Sent} sent, {Failed} failed, {Skipped} skipped and {Missed} missed tick(s)")]
    public static partial void Stopped(ILogger logger, string source, long sent, long failed, long skipped, long missed);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "PingSource {Source} sent event {EventId} to {Sink}: HTTP {StatusCode} after {Attempts} attempt(s)")]
    public static partial void Sent(ILogger logger, string source, string eventId, Uri sink, int? statusCode, int attempts);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "PingSource {Source} lost event {EventId}: {Sink} failed after {Attempts} attempt(s): {Error}")]
    public static partial void Failed(ILogger logger, string source, string eventId, Uri sink, int attempts, string error);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "PingSource {Source} lost event {EventId}: its sink could not be resolved")]
    public static partial void SinkUnresolved(ILogger logger, Exception exception, string source, string eventId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "PingSource {Source} skipped the tick due at {Due:o}: the previous event is still being sent ({Skipped} skipped so far)")]
    public static partial void Skipped(ILogger logger, string source, DateTimeOffset due, long skipped);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "PingSource {Source} woke at {Now:o}, {Late} after the tick due at {Due:o}; {Missed} later tick(s) passed meanwhile and are not replayed")]
    public static partial void Missed(ILogger logger, string source, DateTimeOffset now, TimeSpan late, DateTimeOffset due, long missed);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "PingSource {Source}: schedule '{Schedule}' has no further occurrence; the source stays idle")]
    public static partial void NoFurtherOccurrence(ILogger logger, string source, string schedule);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "PingSource {Source}: attempt {Attempt} to {Sink} failed ({Error}); retrying in {Backoff}")]
    public static partial void Retrying(ILogger logger, string source, int attempt, Uri sink, string error, TimeSpan backoff);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "PingSource {Source}: the send of event {EventId} was cancelled by shutdown")]
    public static partial void SendCancelled(ILogger logger, string source, string eventId);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "PingSource {Source} lost event {EventId}: sending failed unexpectedly")]
    public static partial void SendCrashed(ILogger logger, Exception exception, string source, string eventId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "PingSource {Source} ignores ceOverrides extension(s) {Names}: they name CloudEvents attributes, which Knative does not let an extension overwrite")]
    public static partial void DroppedExtensions(ILogger logger, string source, string names);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "PingSource {Source} from {Origin} cannot run and is left out")]
    public static partial void CannotRun(ILogger logger, Exception exception, string source, string origin);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "PingSource {Source}: a StatusChanged handler threw; the source carries on")]
    public static partial void StatusHandlerFailed(ILogger logger, Exception exception, string source);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Running {Count} PingSource(s)")]
    public static partial void Running(ILogger logger, int count);
}
