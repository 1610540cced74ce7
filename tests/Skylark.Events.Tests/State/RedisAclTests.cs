using System.Text;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.State;
using StackExchange.Redis;

namespace Skylark.Events.Tests.State;

/// <summary>
/// The ACL rules of <see cref="RedisAclRules"/>, enforced by a real redis-server: a function's credentials change only
/// its own bundles and run no dangerous command, whatever the code on the other end sends; the StateSink's copy any
/// bundle.
/// </summary>
public sealed class RedisAclTests : IAsyncLifetime
{
    private const string Node = "edge";
    private const string Prefix = "acl-test";
    private const string ModelKey = "acl-test:predictor:model";

    private static readonly StateRef DetectBundle = new(Node, "wf-1", "detect");
    private static readonly StateRef DetectNamedBundle = new(Node, "wf-1", "detect.background");
    private static readonly StateRef PreprocessBundle = new(Node, "wf-1", "preprocess");

    private readonly List<ConnectionMultiplexer> connections = [];
    private RedisProcess redis = null!;

    public async Task InitializeAsync() =>
        redis = await RedisProcess.StartAsync(
            "acl",
            users:
            [
                RedisUser.Create("detect", RedisAclRules.ForFunction("detect", Prefix)),
                RedisUser.Create("preprocess", RedisAclRules.ForFunction("preprocess", Prefix)),
                RedisUser.Create("statesink", RedisAclRules.ForStateSink(Prefix)),
                RedisUser.Create("predictor", RedisAclRules.ForPredictor(ModelKey)),
            ]);

    public async Task DisposeAsync()
    {
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        await redis.DisposeAsync();
    }

    [Fact]
    public async Task A_function_writes_its_own_bundles_and_reads_every_bundle()
    {
        var preprocess = await StoreAsync("preprocess");
        await preprocess.ForFunction("preprocess").WriteAsync(PreprocessBundle, Items("frame"));
        var detect = (await StoreAsync("detect")).ForFunction("detect");

        await detect.WriteAsync(DetectBundle, Items("boxes"));
        await detect.WriteAsync(DetectNamedBundle, Items("model"));

        Assert.Equal("frame", Encoding.UTF8.GetString((await detect.ReadAsync(PreprocessBundle))!.Items["value"].Span));
        Assert.Equal(1, await detect.GetVersionAsync(DetectNamedBundle));
    }

    [Fact]
    public async Task A_function_reads_another_functions_bundle_info_and_its_item_by_item_write_as_it_is_staged()
    {
        var preprocess = (await StoreAsync("preprocess")).ForFunction("preprocess");
        await preprocess.WriteAsync(PreprocessBundle, Items("frame"));
        var staged = new StateRef(Node, "wf-2", "preprocess");
        var writer = preprocess.BeginWrite(staged);
        await writer.AppendAsync("a", "1"u8.ToArray());
        var detect = (await StoreAsync("detect")).ForFunction("detect");

        var info = await detect.GetInfoAsync(PreprocessBundle);
        var progress = await detect.ReadStagedAsync(staged, writeId: null, fromItem: 0, maxBytes: 1024);

        Assert.Equal(1, info!.Version);
        Assert.Equal(StagedBundleState.Staging, progress.State);
    }

    [Fact]
    public async Task A_function_writes_its_bundle_item_by_item()
    {
        var detect = (await StoreAsync("detect")).ForFunction("detect");
        var writer = detect.BeginWrite(DetectBundle);

        await writer.AppendAsync("a", "1"u8.ToArray());
        await writer.AppendAsync("b", "2"u8.ToArray());
        var info = await writer.CommitAsync();

        Assert.Equal(1, info.Version);
        Assert.Equal(2, (await detect.ReadAsync(DetectBundle))!.Items.Count);
    }

    [Fact]
    public async Task A_function_cannot_write_another_functions_bundle_even_past_its_bundle_scope()
    {
        var preprocess = await StoreAsync("preprocess");
        await preprocess.ForFunction("preprocess").WriteAsync(PreprocessBundle, Items("frame"));

        // Unrestricted in-process: only Redis stands between this store and the other function's bundle.
        var detect = await StoreAsync("detect");

        var write = await Assert.ThrowsAnyAsync<Exception>(() => detect.WriteAsync(PreprocessBundle, Items("forged")));
        var delete = await Assert.ThrowsAnyAsync<Exception>(() => detect.DeleteAsync(PreprocessBundle));

        Assert.Contains("NOPERM", write.ToString(), StringComparison.Ordinal);
        Assert.Contains("NOPERM", delete.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await preprocess.GetVersionAsync(PreprocessBundle));
    }

    [Fact]
    public async Task A_function_cannot_write_outside_the_project_keys_by_a_plain_command()
    {
        var database = (await ConnectAsync("detect")).GetDatabase();

        var error = await Assert.ThrowsAsync<RedisServerException>(() => database.StringSetAsync("elsewhere", "x"));

        Assert.StartsWith("NOPERM", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("detect", "CONFIG", new[] { "SET", "requirepass", "" })]
    [InlineData("detect", "CONFIG", new[] { "GET", "*" })]
    [InlineData("detect", "KEYS", new[] { "*" })]
    [InlineData("detect", "FLUSHALL", new string[0])]
    [InlineData("detect", "FLUSHDB", new string[0])]
    [InlineData("detect", "ACL", new[] { "LIST" })]
    [InlineData("detect", "SCRIPT", new[] { "FLUSH" })]
    [InlineData("detect", "CLIENT", new[] { "LIST" })]
    [InlineData("statesink", "CONFIG", new[] { "SET", "requirepass", "" })]
    [InlineData("statesink", "KEYS", new[] { "*" })]
    [InlineData("statesink", "FLUSHALL", new string[0])]
    [InlineData("predictor", "CONFIG", new[] { "SET", "requirepass", "" })]
    [InlineData("predictor", "KEYS", new[] { "*" })]
    public async Task No_service_user_may_run_a_dangerous_command(string user, string command, string[] arguments)
    {
        var database = (await ConnectAsync(user)).GetDatabase();

        var error = await Assert.ThrowsAsync<RedisServerException>(() => database.ExecuteAsync(command, [.. arguments]));

        Assert.StartsWith("NOPERM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_statesink_copies_any_functions_bundle_and_lists_every_bundle()
    {
        var sink = await StoreAsync("statesink");
        var pulled = new Bundle(DetectBundle, 3, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), BundleItems.From(Items("pulled")));
        var streamed = new StateRef(Node, "wf-2", "preprocess");

        var copy = await sink.PutCopyAsync(pulled);
        var stream = sink.BeginCopy(streamed);
        await stream.AppendAsync("value", "streamed"u8.ToArray());
        await stream.CommitAsync(2, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var listed = new List<BundleInfo>();
        await foreach (var info in sink.ListAsync())
        {
            listed.Add(info);
        }

        Assert.Equal(PutCopyOutcome.Written, copy.Outcome);
        Assert.Equal(3, await sink.GetVersionAsync(DetectBundle));
        Assert.Equal(2, await sink.GetVersionAsync(streamed));
        Assert.Equal(2, listed.Count);
        Assert.True(await sink.DeleteAsync(DetectBundle));
    }

    [Fact]
    public async Task The_predictor_keeps_its_model_and_touches_no_bundle()
    {
        var preprocess = (await StoreAsync("preprocess")).ForFunction("preprocess");
        await preprocess.WriteAsync(PreprocessBundle, Items("frame"));
        var database = (await ConnectAsync("predictor")).GetDatabase();

        await database.StringSetAsync(ModelKey, "{}");
        var model = await database.StringGetAsync(ModelKey);
        var read = await Assert.ThrowsAsync<RedisServerException>(() => database.ExecuteAsync("HGETALL", new BundleKeys(Prefix).Key(PreprocessBundle)));
        var write = await Assert.ThrowsAsync<RedisServerException>(() => database.StringSetAsync(Prefix + ":elsewhere", "x"));

        Assert.Equal("{}", model.ToString());
        Assert.StartsWith("NOPERM", read.Message, StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", write.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_user_stays_the_labs_own_with_every_permission()
    {
        var configuration = ConfigurationOptions.Parse(redis.Endpoint);
        configuration.Password = redis.Password;
        var admin = await ConnectionMultiplexer.ConnectAsync(configuration);
        connections.Add(admin);

        var reply = await admin.GetDatabase().ExecuteAsync("CONFIG", "GET", "maxmemory");

        Assert.Equal(2, ((RedisResult[])reply!).Length);
    }

    private static Dictionary<string, ReadOnlyMemory<byte>> Items(string value) =>
        new(StringComparer.Ordinal) { ["value"] = Encoding.UTF8.GetBytes(value) };

    private StateOptions Options(string user) => new()
    {
        Configuration = redis.Endpoint,
        User = user,
        Password = redis.Users[user].Password,
        Node = Node,
        KeyPrefix = Prefix,
    };

    private async Task<ConnectionMultiplexer> ConnectAsync(string user)
    {
        var configuration = Options(user).ToRedisConfiguration();
        configuration.AbortOnConnectFail = true;
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        connections.Add(connection);
        return connection;
    }

    private async Task<BundleStore> StoreAsync(string user) => new(await ConnectAsync(user), Options(user));
}
