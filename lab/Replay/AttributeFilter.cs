using CloudNative.CloudEvents;

namespace Skylark.Events.Lab.Replay;

/// <summary><c>attribute=value</c>: an event passes when that attribute (or extension), in its string form, equals the value exactly.</summary>
public sealed record AttributeFilter(string Attribute, string Value)
{
    /// <exception cref="FormatException">Not <c>name=value</c>.</exception>
    public static AttributeFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new FormatException($"'{text}' is not a filter: use <attribute>=<value>, e.g. type=io.skylark.camera.frame");
        }

        return new AttributeFilter(text[..equals].Trim().ToLowerInvariant(), text[(equals + 1)..]);
    }

    public bool Matches(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return cloudEvent.GetAttribute(Attribute) is { } attribute
            && cloudEvent[attribute] is { } value
            && attribute.Format(value) == Value;
    }

    public override string ToString() => $"{Attribute}={Value}";
}
