using System.CommandLine;

namespace Skylark.Events.Cli.Commands;

/// <summary><c>--auth on|off</c> of <c>up</c> and <c>demo</c>: sender identity and EventPolicies, on unless turned off.</summary>
internal static class AuthOption
{
    public const string Warning =
        "WARNING: --auth off: the broker and the StateSinks accept events from anyone who reaches their ports, unauthenticated " +
        "and unchecked by any EventPolicy. Use it for experiments only (docs/security.md).";

    public static Option<string> Create() => new Option<string>("--auth")
    {
        Description = "on (default): a local OIDC issuer gives each service its identity token; the broker and the StateSinks verify senders and apply the EventPolicies. off: accept anyone (experiments only).",
        DefaultValueFactory = _ => "on",
    }.AcceptOnlyFromAmongFluent("on", "off");

    private static Option<string> AcceptOnlyFromAmongFluent(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    public static bool IsOn(string? value) => value != "off";
}
