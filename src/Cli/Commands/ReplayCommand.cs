using System.CommandLine;
using System.CommandLine.Parsing;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Contracts;
using Skylark.Events.Identity;
using Skylark.Events.Lab.Replay;
using Skylark.Events.Lab.Up;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark replay &lt;journal-dir|events.jsonl&gt; --to &lt;broker-ingress-url&gt; [--speed max|1x|&lt;N&gt;x]
/// [--filter &lt;attribute&gt;=&lt;value&gt;]… [--fresh-ids] [--concurrency N] [--token-file F | --endpoints F]</c>: re-sends a recording, with a progress
/// bar on a terminal and a summary. Exit code 0 when every event sent was accepted, 1 otherwise, 2 for a bad recording.
/// </summary>
public static class ReplayCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("recording") { Description = "A broker's journal folder (--journal) or a JSON Lines file (skylark journal export)." };
        var to = new Option<Uri>("--to")
        {
            Description = "Where to send the events, e.g. http://127.0.0.1:8080/skylark/default (a broker ingress).",
            Required = true,
            CustomParser = ParseUrl,
        };
        var speed = new Option<ReplaySpeed>("--speed")
        {
            Description = "max (no waiting, the default), or the recorded pace times N: 1x, 10x, 0.5x…",
            DefaultValueFactory = _ => ReplaySpeed.Max,
            CustomParser = r => Parse(r, ReplaySpeed.Parse),
        };
        var filters = new Option<AttributeFilter[]>("--filter")
        {
            Description = "Send only events whose attribute (or extension) equals the value; repeat to require several.",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
            CustomParser = r => [.. r.Tokens.Select(t => Parse(r, () => AttributeFilter.Parse(t.Value)))],
        };
        var freshIds = new Option<bool>("--fresh-ids") { Description = "Give every event a new id." };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Requests in flight at once (1, the default, keeps the recorded order).",
            DefaultValueFactory = _ => 1,
        };
        concurrency.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--concurrency must be at least 1.");
            }
        });

        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "Send as the identity whose token this file holds (a service-account token), to a broker that verifies senders." };
        var endpoints = new Option<FileInfo?>("--endpoints") { Description = "Send as the operator, with its token from this endpoints file (skylark up --endpoints-file)." };
        var command = new Command("replay", "Re-send recorded events (a journal folder or a JSON Lines file) to a broker.")
        {
            source, to, speed, filters, freshIds, concurrency, tokenFile, endpoints,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetRequiredValue(source);
            var options = new ReplayOptions(parseResult.GetRequiredValue(to))
            {
                Speed = parseResult.GetValue(speed),
                Filters = parseResult.GetValue(filters) ?? [],
                FreshIds = parseResult.GetValue(freshIds),
                Concurrency = parseResult.GetValue(concurrency),
            };

            try
            {
                // Counted first so the bar knows the end; the second pass streams.
                var total = RecordedEvents.Read(path).Count();
                var damage = new List<JournalDamage>();
                var sockets = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = options.Concurrency };
                var tokens = await SenderTokensAsync(parseResult.GetValue(tokenFile), parseResult.GetValue(endpoints), cancellationToken);
                using var client = new HttpClient(tokens is null ? sockets : new BearerTokenHandler(tokens, _ => SkylarkAudiences.OfBrokerIngress(options.Target)) { InnerHandler = sockets })
                {
                    Timeout = TimeSpan.FromSeconds(30),
                };
                var replayer = new EventReplayer(client);
                ReplaySummary summary;
                using (var bar = Console.IsErrorRedirected || error != Console.Error ? null : new ReplayProgressBar(error))
                {
                    summary = await replayer.ReplayAsync(RecordedEvents.Read(path, damage.Add), options, total, bar, cancellationToken);
                }

                foreach (var skipped in damage)
                {
                    await error.WriteLineAsync($"skipped {skipped.Bytes} unreadable byte(s) at the end of {skipped.Segment} ({skipped.Reason})");
                }

                await output.WriteLineAsync($"replayed {path} to {options.Target} at speed {options.Speed}");
                await output.WriteLineAsync(summary.ToString());
                return summary.AllAccepted ? 0 : 1;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or FormatException or IOException or InvalidDataException or KeyNotFoundException)
            {
                await error.WriteLineAsync($"replay: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Uri ParseUrl(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        result.AddError($"--to needs an absolute http(s) URL, e.g. http://127.0.0.1:8080/skylark/default; got '{text}'.");
        return null!;
    }

    private static T Parse<T>(ArgumentResult result, Func<string, T> parse) => Parse(result, () => parse(result.Tokens.Single().Value));

    private static T Parse<T>(ArgumentResult result, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    }

    /// <summary>The identity the events are sent as: a token file, or the operator's token from an endpoints file; null sends none.</summary>
    private static async Task<ISenderTokens?> SenderTokensAsync(FileInfo? tokenFile, FileInfo? endpoints, CancellationToken cancellationToken)
    {
        if (tokenFile is not null)
        {
            return new TokenFileSenderTokens(tokenFile.FullName);
        }

        if (endpoints is null)
        {
            return null;
        }

        var file = await EndpointsFile.ReadAsync(endpoints.FullName, cancellationToken);
        return file.Tokens is { } tokens
            ? SenderTokens.Of(tokens.TryGetValue(ClusterIdentity.Operator, out var token) ? token : throw new KeyNotFoundException($"{endpoints.FullName} has no operator token."))
            : null;
    }
}
