using Skylark.Events.Lab.Hosting;

namespace Skylark.Events.Tests.Lab.Hosting;

public sealed class RedisPersistenceTests
{
    [Theory]
    [InlineData("everysec", "--appendonly yes --appendfsync everysec")]
    [InlineData("always", "--appendonly yes --appendfsync always")]
    [InlineData("no", "--appendonly yes --appendfsync no")]
    [InlineData("off", "--appendonly no")]
    public void Each_fsync_policy_is_the_redis_server_arguments_both_runtimes_start_with(string name, string arguments)
    {
        var fsync = RedisPersistence.Parse(name);

        Assert.Equal(arguments, string.Join(' ', RedisPersistence.Arguments(fsync)));
        Assert.Equal(name, RedisPersistence.Name(fsync));
    }

    [Fact]
    public void An_unknown_policy_is_refused_naming_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisPersistence.Parse("sometimes"));

        Assert.Contains("always, everysec, no, off", error.Message, StringComparison.Ordinal);
    }
}
