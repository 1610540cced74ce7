using Skylark.Events.Hosting;

namespace Skylark.Events.Lab.Demo;

/// <summary>What an injected fault does to its target.</summary>
public enum FaultKind
{
    /// <summary>SIGKILL a process, as a crash would; the supervisor starts it again.</summary>
    Kill,

    /// <summary>Cut a node off from every other node for a while, as a satellite out of range.</summary>
    Cut,
}

/// <summary>
/// A fault the demo injects at a time after the cameras start. <c>--kill &lt;instance&gt;@&lt;time&gt;</c> SIGKILLs a
/// process of <c>--processes</c>: a service instance by its name (<c>statesink-edge</c>, <c>detect-sat</c>,
/// <c>broker</c>, …) or a node's <c>redis-&lt;node&gt;</c>. <c>--cut &lt;node&gt;@&lt;time&gt;+&lt;duration&gt;</c> takes
/// every link of a node down for <paramref name="For"/>.
/// </summary>
public sealed record InjectedFault(FaultKind Kind, string Target, TimeSpan At, TimeSpan For = default)
{
    public static InjectedFault Kill(string instance, TimeSpan at) => new(FaultKind.Kill, instance, at);

    public static InjectedFault Cut(string node, TimeSpan at, TimeSpan duration) => new(FaultKind.Cut, node, at, duration);

    /// <summary>Reads <c>instance@time</c>, the time as <c>10s</c>, <c>1m30s</c> or plain seconds.</summary>
    /// <exception cref="FormatException">Not of that shape; the message says what is expected.</exception>
    public static InjectedFault ParseKill(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TrySplit(text, out var target, out var when) && TryTime(when, out var at)
            ? Kill(target, at)
            : throw new FormatException($"--kill '{text}' is not <instance>@<time>, e.g. redis-edge@10s or detect-sat@1m.");
    }

    /// <summary>Reads <c>node@time+duration</c>, e.g. <c>sat@10s+20s</c>.</summary>
    /// <exception cref="FormatException">Not of that shape; the message says what is expected.</exception>
    public static InjectedFault ParseCut(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plus = text.LastIndexOf('+');
        return plus > 0
            && TrySplit(text[..plus], out var node, out var when)
            && TryTime(when, out var at)
            && TryTime(text[(plus + 1)..], out var duration)
            && duration > TimeSpan.Zero
            ? Cut(node, at, duration)
            : throw new FormatException($"--cut '{text}' is not <node>@<time>+<duration>, e.g. sat@10s+20s.");
    }

    /// <summary>The fault as its option reads, for messages.</summary>
    public override string ToString() => Kind == FaultKind.Kill
        ? $"--kill {Target}@{At.TotalSeconds:0.#}s"
        : $"--cut {Target}@{At.TotalSeconds:0.#}s+{For.TotalSeconds:0.#}s";

    private static bool TrySplit(string text, out string target, out string when)
    {
        var at = text.LastIndexOf('@');
        (target, when) = at <= 0 ? ("", "") : (text[..at], text[(at + 1)..]);
        return at > 0 && when.Length > 0;
    }

    private static bool TryTime(string text, out TimeSpan time) => Durations.TryParse(text, out time) && time >= TimeSpan.Zero;
}

/// <summary>What happened to one injected fault.</summary>
/// <param name="Kind"><c>kill</c> or <c>cut</c>.</param>
/// <param name="Instance">The killed process's instance name, or the node cut off.</param>
/// <param name="AtSeconds">Seconds after the cameras started.</param>
/// <param name="RecoveredAfterSeconds">
/// From the fault until the process was running and ready again (kill), or the node's links were back (cut); null if
/// it never was.
/// </param>
/// <param name="SettledAfterSeconds">
/// From the fault until every frame captured before the recovery had an outcome (its workflow completed or was
/// dead-lettered); null if some had none when the run ended.
/// </param>
/// <param name="CompletedAfterRecovery">Workflows of frames captured after the recovery that completed: the pipeline works again.</param>
public sealed record FaultOutcome(
    string Kind, string Instance, double AtSeconds, double? RecoveredAfterSeconds, double? SettledAfterSeconds = null, long CompletedAfterRecovery = 0);
