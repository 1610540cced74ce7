using System.Diagnostics;
using Skylark.Events.Lab.Hosting;
using StackExchange.Redis;

namespace Skylark.Events.Tests.Lab.Hosting;

public sealed class RedisProcessTests
{
    [Fact]
    public async Task The_password_never_appears_on_the_command_line_and_is_required()
    {
        await using var redis = await RedisProcess.StartAsync("test");

        var commandLine = await File.ReadAllTextAsync($"/proc/{redis.ProcessId}/cmdline");
        await using var withPassword = await ConnectAsync(redis);

        Assert.DoesNotContain(redis.Password, commandLine, StringComparison.Ordinal);
        Assert.True((await withPassword.GetDatabase().PingAsync()) >= TimeSpan.Zero);
        await Assert.ThrowsAnyAsync<RedisException>(async () =>
        {
            await using var withoutPassword = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
            await withoutPassword.GetDatabase().PingAsync();
        });
    }

    [Fact]
    public async Task A_killed_server_with_an_append_only_file_restarts_on_its_port_with_its_data()
    {
        await using var redis = await RedisProcess.StartAsync("test", extraArguments: ["--appendonly", "yes", "--appendfsync", "everysec"]);
        await using (var before = await ConnectAsync(redis))
        {
            await before.GetDatabase().StringSetAsync("kept", "across the restart");
        }

        var pid = redis.ProcessId!.Value;
        Process.GetProcessById(pid).Kill();
        await redis.WaitForExitAsync(CancellationToken.None);
        var exit = redis.ExitDescription;
        await redis.RestartAsync(CancellationToken.None);

        await using var after = await ConnectAsync(redis);
        Assert.StartsWith("redis-server exited with code", exit, StringComparison.Ordinal);
        Assert.NotEqual(pid, redis.ProcessId);
        Assert.Equal("across the restart", (string?)await after.GetDatabase().StringGetAsync("kept"));
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisProcess redis)
    {
        var options = ConfigurationOptions.Parse(redis.Endpoint);
        options.Password = redis.Password;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
