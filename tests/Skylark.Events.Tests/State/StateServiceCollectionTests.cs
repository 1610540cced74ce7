using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.Tests.Support;
using StackExchange.Redis;

namespace Skylark.Events.Tests.State;

[Collection(RedisCollection.Name)]
public sealed class StateServiceCollectionTests(RedisServer redis)
{
    [Fact]
    public async Task AddSkylarkState_registers_one_multiplexer_a_store_a_reader_and_metrics_that_work_against_redis()
    {
        var prefix = RedisServer.NewKeyPrefix();
        var services = new ServiceCollection().AddLogging().AddSkylarkState(o =>
        {
            o.Configuration = redis.Configuration;
            o.Password = redis.Password;
            o.Node = "edge-1";
            o.KeyPrefix = prefix;
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<BundleStore>();
        var reader = provider.GetRequiredService<IStateReader>();
        var stateRef = StateRef.Parse("edge-1/wf/detect.background");
        await store.ForFunction("detect").WriteAsync(stateRef, BundleItems.CreateBuilder().Add("m", "1").Build());
        var read = await reader.ReadAsync(stateRef);

        Assert.Same(provider.GetRequiredService<IConnectionMultiplexer>(), provider.GetRequiredService<IConnectionMultiplexer>());
        Assert.Equal("edge-1", store.Node);
        Assert.Equal(prefix, store.Keys.Prefix);
        Assert.Equal(StateReadSource.Local, read.Source);
        Assert.Equal(1, provider.GetRequiredService<StateReadMetrics>().Snapshot().Local);
        Assert.NotNull(provider.GetRequiredService<InFlightPulls>());
    }

    [Fact]
    public async Task Without_a_registered_puller_the_reader_explains_it_cannot_fetch_remote_bundles()
    {
        var services = new ServiceCollection().AddSkylarkState(o =>
        {
            o.Configuration = redis.Configuration;
            o.Password = redis.Password;
            o.Node = "edge-1";
            o.KeyPrefix = RedisServer.NewKeyPrefix();
        });
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<StateNotFoundException>(
            () => provider.GetRequiredService<IStateReader>().ReadAsync(StateRef.Parse("sat-1/wf/b")));

        Assert.Contains("no puller", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_state_services_are_first_resolved()
    {
        var services = new ServiceCollection().AddSkylarkState(o => o.Node = "not a node");
        await using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<BundleStore>());

        Assert.Contains("StateOptions.Node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_redis_configuration_carries_the_password_and_keeps_retrying_until_redis_is_up()
    {
        var configuration = new StateOptions { Configuration = "127.0.0.1:6390", Password = "secret", Node = "sat-2" }.ToRedisConfiguration();

        Assert.Equal("secret", configuration.Password);
        Assert.False(configuration.AbortOnConnectFail);
        Assert.Equal("skylark-sat-2", configuration.ClientName);
        Assert.Equal("127.0.0.1:6390", Assert.Single(configuration.EndPoints).ToString());
    }
}
