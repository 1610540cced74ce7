using System.Globalization;
using Skylark.Events.State;

namespace Skylark.Events.StateSink;

/// <summary>
/// The standalone sink's settings, from the command line (<c>--node edge --redis 127.0.0.1:6379 --topology t.yaml
/// --peer-token … --sinks sat=http://…,cloud=http://…</c>) or <c>SKYLARK_*</c> environment variables
/// (<c>SKYLARK_NODE</c>, <c>SKYLARK_REDIS_PASSWORD</c>, …); <c>--urls</c> goes to ASP.NET Core as usual.
/// </summary>
public sealed record StateSinkSettings(
    string Node,
    string Redis,
    string? RedisPassword,
    string PeerToken,
    string TopologyPath,
    IReadOnlyDictionary<string, Uri> Sinks,
    string? KeyPrefix,
    long? MemoryBudgetBytes)
{
    public const string EnvironmentPrefix = "SKYLARK_";

    public const string Usage =
        "usage: statesink --node <name> --redis <host:port> --topology <file> --peer-token <secret> " +
        "[--redis-password <password>] [--sinks <node>=<url>,…] [--key-prefix <prefix>] [--memory-budget <bytes>] " +
        "[--urls http://0.0.0.0:<port>]  (or SKYLARK_NODE, SKYLARK_REDIS, SKYLARK_TOPOLOGY, SKYLARK_PEER_TOKEN, …)";

    /// <exception cref="ArgumentException">A required setting is missing or a value is malformed; the message includes the usage.</exception>
    public static StateSinkSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var node = Required(configuration, "node", problems);
        var redis = Required(configuration, "redis", problems);
        var topology = Required(configuration, "topology", problems);
        var token = Required(configuration, "peer-token", problems);
        var sinks = ParseSinks(Get(configuration, "sinks"), problems);
        long? budget = null;
        if (Get(configuration, "memory-budget") is { } budgetText)
        {
            if (long.TryParse(budgetText, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0)
            {
                budget = bytes;
            }
            else
            {
                problems.Add($"--memory-budget must be a positive number of bytes; got '{budgetText}'.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems.Append(Usage)));
        }

        return new StateSinkSettings(node!, redis!, Get(configuration, "redis-password"), token!, topology!, sinks, Get(configuration, "key-prefix"), budget);
    }

    public void Configure(StateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Node = Node;
        options.Configuration = Redis;
        options.Password = RedisPassword;
        if (KeyPrefix is not null)
        {
            options.KeyPrefix = KeyPrefix;
        }
    }

    public void Configure(StateSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PeerToken = PeerToken;
        options.TopologyPath = TopologyPath;
        options.MemoryBudgetBytes = MemoryBudgetBytes;
        foreach (var (node, sink) in Sinks)
        {
            options.Sinks[node] = sink;
        }
    }

    /// <summary>Reads <c>--some-name</c> or its environment form <c>SKYLARK_SOME_NAME</c> (configuration keys ignore case).</summary>
    private static string? Get(IConfiguration configuration, string key) =>
        (configuration[key] ?? configuration[key.Replace('-', '_')]) is { Length: > 0 } value ? value.Trim() : null;

    private static string? Required(IConfiguration configuration, string key, List<string> problems)
    {
        var value = Get(configuration, key);
        if (value is null)
        {
            problems.Add($"--{key} (or {EnvironmentPrefix}{key.Replace('-', '_').ToUpperInvariant()}) is required.");
        }

        return value;
    }

    private static Dictionary<string, Uri> ParseSinks(string? text, List<string> problems)
    {
        var sinks = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0
                || !Uri.TryCreate(pair[(equals + 1)..], UriKind.Absolute, out var url)
                || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                problems.Add($"--sinks entries are <node>=<http(s) url>; '{pair}' is not.");
                continue;
            }

            sinks[pair[..equals]] = url;
        }

        return sinks;
    }
}
