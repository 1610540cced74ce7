namespace Skylark.Events.Broker;

/// <summary>
/// The broker's own command-line options; everything else goes to the ASP.NET Core host (e.g. <c>--urls</c>).
/// <see cref="JournalDirectory"/> is the folder of the durable journal (<c>--journal</c>), null without one.
/// </summary>
public sealed record EventingArguments(IReadOnlyList<string> EventingPaths, string[] HostArguments, string? JournalDirectory = null)
{
    public const string EventingOption = "--eventing";
    public const string JournalOption = "--journal";

    /// <summary>Collects every <c>--eventing &lt;file-or-dir&gt;</c> (also <c>--eventing=&lt;path&gt;</c>) and one <c>--journal &lt;dir&gt;</c>.</summary>
    /// <exception cref="ArgumentException"><c>--eventing</c> or <c>--journal</c> without a value, <c>--journal</c> twice, or no <c>--eventing</c> at all.</exception>
    public static EventingArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var paths = new List<string>();
        var rest = new List<string>();
        string? journal = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == EventingOption)
            {
                paths.Add(ValueAfter(args, ref i, $"{EventingOption} needs a file or folder."));
            }
            else if (args[i].StartsWith(EventingOption + "=", StringComparison.Ordinal))
            {
                paths.Add(args[i][(EventingOption.Length + 1)..]);
            }
            else if (args[i] == JournalOption || args[i].StartsWith(JournalOption + "=", StringComparison.Ordinal))
            {
                var value = args[i] == JournalOption ? ValueAfter(args, ref i, $"{JournalOption} needs a folder.") : args[i][(JournalOption.Length + 1)..];
                if (journal is not null)
                {
                    throw new ArgumentException($"{JournalOption} may be given once.");
                }

                journal = value.Length > 0 ? value : throw new ArgumentException($"{JournalOption} needs a folder.");
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        if (paths.Count == 0)
        {
            throw new ArgumentException($"usage: broker {EventingOption} <file-or-dir> [{EventingOption} <more>] [{JournalOption} <dir>] [--urls http://127.0.0.1:<port>]");
        }

        return new EventingArguments(paths, [.. rest], journal);
    }

    private static string ValueAfter(IReadOnlyList<string> args, ref int i, string missing)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException(missing);
        }

        return args[++i];
    }
}
