using Skylark.Events.Hosting;

namespace Skylark.Events.Lab.Demo;

/// <summary>
/// A process the demo SIGKILLs during its run (<c>--kill &lt;instance&gt;@&lt;time&gt;</c>), as a crash would: a
/// service instance of <c>--processes</c> by its name (<c>statesink-edge</c>, <c>detect-sat</c>, <c>broker</c>, …) or a
/// node's <c>redis-&lt;node&gt;</c>, at a time after the cameras start.
/// </summary>
public sealed record InjectedFault(string Instance, TimeSpan At)
{
    /// <summary>Reads <c>instance@time</c>, the time as <c>10s</c>, <c>1m30s</c> or plain seconds.</summary>
    /// <exception cref="FormatException">Not of that shape; the message says what is expected.</exception>
    public static InjectedFault Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1 || !Durations.TryParse(text[(at + 1)..], out var time) || time < TimeSpan.Zero)
        {
            throw new FormatException($"--kill '{text}' is not <instance>@<time>, e.g. redis-edge@10s or detect-sat@1m.");
        }

        return new InjectedFault(text[..at], time);
    }
}

/// <summary>What happened to one injected fault: when the process was killed and how long until it was serving again.</summary>
/// <param name="Instance">The killed process's instance name.</param>
/// <param name="AtSeconds">Seconds after the cameras started.</param>
/// <param name="RecoveredAfterSeconds">From the kill until the supervisor had it running and ready again; null if it never was.</param>
public sealed record FaultOutcome(string Instance, double AtSeconds, double? RecoveredAfterSeconds);
