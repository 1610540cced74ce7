using System.CommandLine;
using System.Text;
using System.Text.Json;
using Skylark.Events.Lab.Up;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark state put|get|ls --endpoints &lt;file&gt; --node &lt;n&gt; …</c>: seed and inspect bundles on a running
/// <c>skylark up</c> topology, talking to each node's Redis directly (the endpoints file has address and password).
/// </summary>
public static class StateCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("state", "Seed and inspect bundles on a running topology.");
        command.Add(Put());
        command.Add(Get());
        command.Add(List());
        return command;
    }

    private static Option<FileInfo> EndpointsOption() => new("--endpoints") { Description = "The endpoints file `skylark up --endpoints-file` wrote.", Required = true };

    private static Option<string> NodeOption() => new("--node") { Description = "The node whose Redis to use.", Required = true };

    private static Option<string> WorkflowOption(bool required) => new("--workflow") { Description = "Workflow id.", Required = required };

    private static Option<string> BundleOption() => new("--bundle") { Description = "Bundle name.", Required = true };

    private static Command Put()
    {
        var endpoints = EndpointsOption();
        var node = NodeOption();
        var workflow = WorkflowOption(required: true);
        var bundle = BundleOption();
        var fields = new Option<string[]>("--field") { Description = "name=value, or name=@file for a file's bytes (repeatable).", Required = true };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "Time to live, e.g. 01:00:00 (default: the store's)." };
        var command = new Command("put", "Write a bundle atomically (a new version).") { endpoints, node, workflow, bundle, fields, ttl };
        command.SetAction((parse, ct) => Guard(parse, async () =>
        {
            var items = BundleItems.CreateBuilder();
            foreach (var field in parse.GetRequiredValue(fields))
            {
                var equals = field.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new ArgumentException($"--field '{field}' must be name=value or name=@file.");
                }

                var value = field[(equals + 1)..];
                items.Add(field[..equals], value.StartsWith('@') ? await File.ReadAllBytesAsync(value[1..], ct) : Encoding.UTF8.GetBytes(value));
            }

            var target = new StateRef(parse.GetRequiredValue(node), parse.GetRequiredValue(workflow), parse.GetRequiredValue(bundle));
            await using var session = await NodeSession.OpenAsync(parse.GetRequiredValue(endpoints), target.Node, ct);
            var written = await session.Store.WriteAsync(target, items.Build(), parse.GetValue(ttl), ct);
            await WriteJsonAsync(parse, new { stateRef = written.StateRef.ToString(), version = written.Version, sizeBytes = written.SizeBytes });
        }));
        return command;
    }

    private static Command Get()
    {
        var endpoints = EndpointsOption();
        var node = NodeOption();
        var workflow = WorkflowOption(required: true);
        var bundle = BundleOption();
        var localOnly = new Option<bool>("--local-only") { Description = "Only this node's Redis; do not look on other nodes." };
        var command = new Command("get", "Print a bundle as JSON (items as UTF-8 text, or base64 when binary).") { endpoints, node, workflow, bundle, localOnly };
        command.SetAction((parse, ct) => Guard(parse, async () =>
        {
            var file = parse.GetRequiredValue(endpoints);
            var wanted = new StateRef(parse.GetRequiredValue(node), parse.GetRequiredValue(workflow), parse.GetRequiredValue(bundle));
            var all = await EndpointsFile.ReadAsync(file.FullName, ct);
            var nodes = parse.GetValue(localOnly) ? [wanted.Node] : new[] { wanted.Node }.Concat(all.Nodes.Keys.Where(n => n != wanted.Node));
            foreach (var candidate in nodes)
            {
                await using var session = await NodeSession.OpenAsync(file, candidate, ct);
                if (await session.Store.ReadAsync(wanted.On(candidate), ct) is { } found)
                {
                    await WriteJsonAsync(parse, new
                    {
                        stateRef = found.StateRef.ToString(),
                        node = candidate,
                        local = candidate == wanted.Node,
                        version = found.Version,
                        updatedAt = found.UpdatedAt,
                        sizeBytes = found.SizeBytes,
                        items = found.Items.ToDictionary(i => i.Key, i => ItemJson(i.Value)),
                    });
                    return 0;
                }
            }

            await parse.InvocationConfiguration.Error.WriteLineAsync($"skylark state: bundle {wanted} not found{(parse.GetValue(localOnly) ? "" : " on any node")}.");
            return 3;
        }));
        return command;
    }

    private static Command List()
    {
        var endpoints = EndpointsOption();
        var node = NodeOption();
        var workflow = WorkflowOption(required: false);
        var command = new Command("ls", "List the bundles on a node (optionally of workflows starting with --workflow).") { endpoints, node, workflow };
        command.SetAction((parse, ct) => Guard(parse, async () =>
        {
            await using var session = await NodeSession.OpenAsync(parse.GetRequiredValue(endpoints), parse.GetRequiredValue(node), ct);
            var infos = new List<object>();
            await foreach (var info in session.Store.ListAsync(parse.GetValue(workflow), ct))
            {
                infos.Add(new { stateRef = info.StateRef.ToString(), version = info.Version, updatedAt = info.UpdatedAt, sizeBytes = info.SizeBytes, ttlSeconds = info.TimeToLive?.TotalSeconds });
            }

            await WriteJsonAsync(parse, infos);
        }));
        return command;
    }

    private static object ItemJson(ReadOnlyMemory<byte> value)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value.Span);
        }
        catch (DecoderFallbackException)
        {
            return new { base64 = Convert.ToBase64String(value.Span) };
        }
    }

    private static Task WriteJsonAsync(ParseResult parse, object value) =>
        parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(value, Json));

    private static async Task<int> Guard(ParseResult parse, Func<Task> action) => await Guard(parse, async () =>
    {
        await action();
        return 0;
    });

    /// <summary>Bad input and unreachable nodes end with a one-line message and a non-zero exit, never a stack trace.</summary>
    private static async Task<int> Guard(ParseResult parse, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or IOException or KeyNotFoundException
            or RedisException or StateException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"skylark state: {e.Message}");
            return 2;
        }
    }

    /// <summary>A connection to one node's Redis from the endpoints file.</summary>
    private sealed class NodeSession(ConnectionMultiplexer redis, BundleStore store) : IAsyncDisposable
    {
        public BundleStore Store { get; } = store;

        public static async Task<NodeSession> OpenAsync(FileInfo endpointsFile, string node, CancellationToken ct)
        {
            var endpoints = await EndpointsFile.ReadAsync(endpointsFile.FullName, ct);
            if (!endpoints.Nodes.TryGetValue(node, out var address))
            {
                throw new KeyNotFoundException($"Node '{node}' is not in {endpointsFile.FullName} (nodes: {string.Join(", ", endpoints.Nodes.Keys)}).");
            }

            var options = new StateOptions { Configuration = address.Redis, Password = address.RedisPassword, Node = node };
            var configuration = options.ToRedisConfiguration();
            configuration.AbortOnConnectFail = true;
            var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
            return new NodeSession(redis, new BundleStore(redis, options));
        }

        public async ValueTask DisposeAsync() => await redis.DisposeAsync();
    }
}
