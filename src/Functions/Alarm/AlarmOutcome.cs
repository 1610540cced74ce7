namespace Skylark.Events.Functions.Alarm;

/// <summary>
/// The alarm's verdict on one detect result: the <c>result</c> item of <c>alarm.result</c> and the result in its reply.
/// <see cref="Notice"/> is set when <see cref="Raised"/>. <see cref="Duplicate"/> marks a redelivery that changed nothing.
/// </summary>
public sealed record AlarmOutcome(string Camera, bool Raised, bool Duplicate, IReadOnlyList<ZoneEvaluation> Zones, AlarmNotice? Notice);
