namespace Skylark.Events.DeadLetters;

/// <summary>
/// The extensions Knative's broker (and ours) adds to an event it dead-letters, describing the last failed attempt.
/// Named here rather than taken from the broker, so this service depends on the wire contract only.
/// </summary>
public static class KnativeErrorAttributes
{
    /// <summary>The URL of the subscriber whose delivery failed.</summary>
    public const string Destination = "knativeerrordest";

    /// <summary>The HTTP status of the last attempt (500 when there was no response).</summary>
    public const string Code = "knativeerrorcode";

    /// <summary>The base64 of (the start of) the subscriber's response body.</summary>
    public const string Data = "knativeerrordata";
}
