namespace Skylark.Events.Functions.Alarm;

public sealed class AlarmFunctionOptions
{
    /// <summary>Policy for cameras without an <c>alarm.settings</c> bundle.</summary>
    public AlarmSettings DefaultSettings { get; set; } = AlarmSettings.Default;

    /// <summary>TTL of <c>alarm.state</c> and <c>alarm.history</c>, renewed on every write.</summary>
    public TimeSpan StreamTimeToLive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>TTL of each <c>alarm.result</c>; null for the state default.</summary>
    public TimeSpan? OutputTimeToLive { get; set; }
}
