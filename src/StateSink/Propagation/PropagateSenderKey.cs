using CloudNative.CloudEvents;

namespace Skylark.Events.StateSink.Propagation;

/// <summary>
/// Who sent a propagate command, as the fair share of awaiting fetches counts senders
/// (<see cref="StateSinkOptions.MaxAwaitingPullsPerSender"/>). <paramref name="context"/> is the request the command
/// came in, or null when a host hands the command over in-process. Registered before <c>AddStateSink</c>, another
/// key replaces the default <see cref="PropagateSenders.BySubjectOrSource"/>.
/// </summary>
public delegate string PropagateSenderKey(CloudEvent command, HttpContext? context);

/// <summary>The sender keys the sink knows.</summary>
public static class PropagateSenders
{
    /// <summary>The key of commands that did not arrive as a CloudEvent (the periodic sync, in-process callers).</summary>
    public const string Local = "";

    private static readonly object SubjectItem = new();

    /// <summary>
    /// The subject of the sender's verified token when the sink checks senders, else the CloudEvent <c>source</c>
    /// (<see cref="BySource"/>). A verified sender cannot dodge its share by changing <c>source</c>.
    /// </summary>
    public static string BySubjectOrSource(CloudEvent command, HttpContext? context) =>
        AuthenticatedSubject(context) ?? BySource(command, context);

    /// <summary>The verified subject the event endpoint found on <paramref name="context"/>; null when senders are not verified.</summary>
    public static string? AuthenticatedSubject(HttpContext? context) =>
        context is not null && context.Items.TryGetValue(SubjectItem, out var subject) ? subject as string : null;

    internal static void SetAuthenticatedSubject(HttpContext context, string subject) => context.Items[SubjectItem] = subject;

    /// <summary>
    /// The CloudEvent's <c>source</c>, which the Predictor sets to <c>/predictor</c> and a node's reader to
    /// <c>/nodes/{node}/statesink</c>. Nothing verifies it: a sender that claims another's source shares that sender's
    /// bound, so this keeps honest senders apart, not a hostile one.
    /// </summary>
    public static string BySource(CloudEvent command, HttpContext? context)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Source?.OriginalString ?? Local;
    }
}
