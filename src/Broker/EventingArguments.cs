namespace Skylark.Events.Broker;

/// <summary>The broker's own command-line options; everything else goes to the ASP.NET Core host (e.g. <c>--urls</c>).</summary>
public sealed record EventingArguments(IReadOnlyList<string> EventingPaths, string[] HostArguments)
{
    public const string EventingOption = "--eventing";

    /// <summary>Collects every <c>--eventing &lt;file-or-dir&gt;</c> (also <c>--eventing=&lt;path&gt;</c>).</summary>
    /// <exception cref="ArgumentException"><c>--eventing</c> without a value, or no <c>--eventing</c> at all.</exception>
    public static EventingArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var paths = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == EventingOption)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"{EventingOption} needs a file or folder.");
                }

                paths.Add(args[++i]);
            }
            else if (args[i].StartsWith(EventingOption + "=", StringComparison.Ordinal))
            {
                paths.Add(args[i][(EventingOption.Length + 1)..]);
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        if (paths.Count == 0)
        {
            throw new ArgumentException($"usage: broker {EventingOption} <file-or-dir> [{EventingOption} <more>] [--urls http://127.0.0.1:<port>]");
        }

        return new EventingArguments(paths, [.. rest]);
    }
}
