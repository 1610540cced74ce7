using System.Net;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker;

public sealed class ShutdownTests : IAsyncLifetime
{
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestSubscriber subscriber = null!;

    public async Task InitializeAsync() =>
        subscriber = await TestSubscriber.StartAsync(r => r.CloudEvent.Id == "first" ? SubscriberResponse.HeldUntil(release.Task) : SubscriberResponse.Ok);

    public async Task DisposeAsync()
    {
        release.TrySetResult();
        await subscriber.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_refuses_new_events_and_delivers_everything_already_accepted()
    {
        var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url)), o => o.WorkersPerTrigger = 1);
        await using var _ = broker;
        await broker.SendAsync(TestEvents.Create(id: "first"));
        await subscriber.WaitForAsync(1);
        await broker.SendAsync(TestEvents.Create(id: "second"));
        await broker.SendAsync(TestEvents.Create(id: "third"));

        var stopping = broker.StopAsync();
        var late = await TryPostAsync(broker, TestEvents.Create(id: "late"));
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        // Refused by the ingress (503) or by Kestrel, whichever stopped first; never accepted.
        Assert.NotEqual(HttpStatusCode.Accepted, late);
        Assert.Equal(["first", "second", "third"], subscriber.Received.Select(r => r.CloudEvent.Id));
        Assert.Equal(3, broker.Metrics.Delivered);
    }

    [Fact]
    public async Task The_ingress_answers_503_once_the_host_is_stopping()
    {
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url)));
        broker.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var refused = await broker.PostAsync(TestEvents.Create(id: "late"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("shutting down", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliveries_still_running_after_the_drain_timeout_are_abandoned_and_logged()
    {
        var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("t", subscriber.Url)),
            o => (o.WorkersPerTrigger, o.ShutdownDrainTimeout) = (1, TimeSpan.FromMilliseconds(200)));
        await using var _ = broker;
        await broker.SendAsync(TestEvents.Create(id: "first"));
        await subscriber.WaitForAsync(1);
        await broker.SendAsync(TestEvents.Create(id: "second"));

        await broker.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["first"], subscriber.Received.Select(r => r.CloudEvent.Id));
        var abandoned = broker.Logs.Entries.Where(e => e.Message.StartsWith("Abandoned", StringComparison.Ordinal)).Select(e => (string?)e.Values["EventId"]);
        Assert.Equal(["first", "second"], abandoned.Order());
        Assert.Contains(broker.Logs.Entries, e => e.Message.Contains("drain timed out", StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode?> TryPostAsync(BrokerHost broker, CloudNative.CloudEvents.CloudEvent cloudEvent)
    {
        try
        {
            using var response = await broker.PostAsync(cloudEvent);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
