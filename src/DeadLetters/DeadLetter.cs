using System.Globalization;
using System.Text;
using CloudNative.CloudEvents;

namespace Skylark.Events.DeadLetters;

/// <summary>One stored dead letter: its place in the log, when it arrived, why it failed and the event itself.</summary>
public sealed record DeadLetter
{
    public DeadLetter(long sequence, DateTimeOffset receivedAt, DeadLetterError error, CloudEvent cloudEvent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        Sequence = sequence;
        ReceivedAt = receivedAt;
        Error = error;
        Event = cloudEvent;
    }

    /// <summary>1 for the first record of the log, one more for each record after; never reused.</summary>
    public long Sequence { get; }

    public DateTimeOffset ReceivedAt { get; }

    public DeadLetterError Error { get; }

    public CloudEvent Event { get; }
}

/// <summary>
/// Knative's error attributes of a dead letter, decoded: <see cref="Data"/> is the text of the failed subscriber's
/// response (the attribute carries it in base64). Each is null when the event does not carry it; the event keeps the
/// attributes exactly as they arrived.
/// </summary>
public sealed record DeadLetterError(string? Destination, int? Code, string? Data)
{
    public static readonly DeadLetterError None = new(null, null, null);

    public static DeadLetterError From(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var code = Text(cloudEvent, KnativeErrorAttributes.Code);
        return new DeadLetterError(
            Text(cloudEvent, KnativeErrorAttributes.Destination),
            int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null,
            Decode(Text(cloudEvent, KnativeErrorAttributes.Data)));
    }

    private static string? Text(CloudEvent cloudEvent, string name) =>
        cloudEvent.GetAttribute(name) is { } attribute && cloudEvent[attribute] is { } value ? attribute.Format(value) : null;

    /// <summary>The response body as text; a value that is not base64 is kept as it came, so nothing is hidden.</summary>
    private static string? Decode(string? data)
    {
        if (data is null)
        {
            return null;
        }

        var bytes = new byte[data.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(data, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : data;
    }
}

/// <summary>A dead letter is on disk: the log answers its sender only after this.</summary>
public sealed class DeadLetterStoredEventArgs(DeadLetter deadLetter) : EventArgs
{
    public DeadLetter DeadLetter { get; } = deadLetter ?? throw new ArgumentNullException(nameof(deadLetter));
}
