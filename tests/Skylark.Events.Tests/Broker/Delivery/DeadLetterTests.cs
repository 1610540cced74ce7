using System.Text;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Ingress;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Delivery;

public sealed class DeadLetterTests : IAsyncLifetime
{
    private TestSubscriber subscriber = null!;
    private TestSubscriber deadLetters = null!;

    public async Task InitializeAsync()
    {
        subscriber = await TestSubscriber.StartAsync();
        deadLetters = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await subscriber.DisposeAsync();
        await deadLetters.DisposeAsync();
    }

    [Fact]
    public async Task An_unreachable_subscriber_dead_letters_the_original_event_with_a_500_and_the_dispatch_error()
    {
        var unreachable = TestEvents.UnreachableUrl();
        await using var broker = await StartAsync(unreachable, retry: 1);
        var sent = TestEvents.Create(id: "lost", data: "original");
        sent["workflowid"] = "wf-1";

        await broker.SendAsync(sent);
        var dead = (await deadLetters.WaitForAsync(1))[0];

        Assert.Equal("lost", dead.CloudEvent.Id);
        Assert.Equal("original", TestEvents.DataText(dead.CloudEvent));
        Assert.Equal("wf-1", dead.Extension("workflowid"));
        Assert.NotNull(dead.Extension(ArrivalTime.ExtensionName));
        Assert.Equal(unreachable.AbsoluteUri, dead.Extension(DeadLetterAttributes.Destination));
        Assert.Equal("500", dead.Extension(DeadLetterAttributes.Code));
        Assert.StartsWith("dispatch error: ", Encoding.UTF8.GetString(Convert.FromBase64String(dead.Extension(DeadLetterAttributes.Data)!)), StringComparison.Ordinal);
        Assert.Null(dead.Header("Prefer"));
        await broker.WaitUntilIdleAsync();
        Assert.Equal(1, broker.Metrics.DeadLettered);
        Assert.Contains(broker.Logs.Entries, e => e.Level == LogLevel.Warning && Equals(e.Values.GetValueOrDefault("EventId"), "lost") && Equals(e.Values.GetValueOrDefault("Trigger"), "test/t"));
    }

    [Fact]
    public async Task A_422_with_a_body_dead_letters_with_its_code_and_base64_body()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(422, "field 'x' is required"));
        await using var broker = await StartAsync(subscriber.Url, retry: 3);

        await broker.SendAsync(TestEvents.Create(id: "bad"));
        var dead = (await deadLetters.WaitForAsync(1))[0];

        Assert.Equal(1, subscriber.Count);
        Assert.Equal("bad", dead.CloudEvent.Id);
        Assert.Equal(subscriber.Url.AbsoluteUri, dead.Extension(DeadLetterAttributes.Destination));
        Assert.Equal("422", dead.Extension(DeadLetterAttributes.Code));
        Assert.Equal(Convert.ToBase64String("field 'x' is required"u8), dead.Extension(DeadLetterAttributes.Data));
    }

    [Fact]
    public async Task A_422_without_a_body_dead_letters_without_error_data()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(422));
        await using var broker = await StartAsync(subscriber.Url);

        await broker.SendAsync(TestEvents.Create());
        var dead = (await deadLetters.WaitForAsync(1))[0];

        Assert.Equal("422", dead.Extension(DeadLetterAttributes.Code));
        Assert.Null(dead.Extension(DeadLetterAttributes.Data));
        Assert.Null(dead.Header("ce-knativeerrordata"));
    }

    [Fact]
    public async Task A_long_error_body_is_truncated_to_its_first_1024_bytes()
    {
        var body = new string('e', 5000);
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(400, body));
        await using var broker = await StartAsync(subscriber.Url);

        await broker.SendAsync(TestEvents.Create());
        var data = (await deadLetters.WaitForAsync(1))[0].Extension(DeadLetterAttributes.Data)!;

        Assert.Equal(body[..DeadLetterAttributes.MaxDataBytes], Encoding.UTF8.GetString(Convert.FromBase64String(data)));
    }

    [Fact]
    public async Task A_2xx_with_a_body_that_is_not_a_cloudevent_is_a_failed_delivery()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(200, "thanks!"));
        await using var broker = await StartAsync(subscriber.Url, retry: 1);

        await broker.SendAsync(TestEvents.Create(id: "odd"));
        var dead = (await deadLetters.WaitForAsync(1))[0];

        // Knative's broker filter answers such a response with 502, which its retry policy retries.
        Assert.Equal(2, subscriber.Count);
        Assert.Equal("502", dead.Extension(DeadLetterAttributes.Code));
        Assert.Equal(Convert.ToBase64String("thanks!"u8), dead.Extension(DeadLetterAttributes.Data));
    }

    [Fact]
    public async Task A_2xx_with_an_empty_body_is_a_plain_success()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(204));
        await using var broker = await StartAsync(subscriber.Url);

        await broker.SendAsync(TestEvents.Create());
        await subscriber.WaitForAsync(1);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, broker.Metrics.Delivered);
        Assert.Equal(0, deadLetters.Count);
    }

    [Fact]
    public async Task Without_a_dead_letter_sink_a_failed_event_is_dropped_and_logged()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(400));
        await using var broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("t", subscriber.Url)));

        await broker.SendAsync(TestEvents.Create(id: "gone"));
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, broker.Metrics.Dropped);
        var log = Assert.Single(broker.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("gone", log.Values["EventId"]);
        Assert.Equal("test/t", log.Values["Trigger"]);
        Assert.Equal(400, log.Values["StatusCode"]);
    }

    [Fact]
    public async Task A_failing_dead_letter_sink_is_retried_then_the_event_is_dropped_and_logged()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(400));
        deadLetters.RespondWith(_ => SubscriberResponse.WithStatus(500));
        await using var broker = await StartAsync(subscriber.Url, retry: 2);

        await broker.SendAsync(TestEvents.Create(id: "twice-lost"));
        await deadLetters.WaitForAsync(3);
        await broker.WaitUntilIdleAsync();

        Assert.Equal(3, deadLetters.Count);
        Assert.Equal(1, broker.Metrics.Dropped);
        Assert.Contains(broker.Logs.Entries, e => e.Level == LogLevel.Error && Equals(e.Values["EventId"], "twice-lost"));
    }

    [Fact]
    public async Task Subscriber_and_dead_letter_sink_refs_resolve_through_the_service_map_with_relative_uris()
    {
        subscriber.RespondWith(_ => SubscriberResponse.WithStatus(400));
        var service = new KReference("Service", "detect", null, "serving.knative.dev/v1");
        var sink = new KReference("Service", "sink", "test", "serving.knative.dev/v1");
        var delivery = new DeliverySpec(new Destination(sink, new Uri("dead/letters", UriKind.Relative)), null, null, null, null, null);
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger("t", new Destination(service, new Uri("/events", UriKind.Relative)), delivery: delivery)),
            o =>
            {
                o.Services["test/detect"] = subscriber.Url;
                o.Services["sink"] = new Uri(deadLetters.Url, "/base/");
            });

        await broker.SendAsync(TestEvents.Create());
        var dead = (await deadLetters.WaitForAsync(1))[0];

        Assert.Equal("/events", Assert.Single(subscriber.Received).Path);
        Assert.Equal("/base/dead/letters", dead.Path);
        Assert.Equal(new Uri(subscriber.Url, "/events").AbsoluteUri, dead.Extension(DeadLetterAttributes.Destination));
    }

    private Task<BrokerHost> StartAsync(Uri subscriberUrl, int retry = 0) =>
        BrokerHost.StartAsync(TestEventing.Model(
            TestEventing.Trigger("t", subscriberUrl, delivery: TestEventing.Delivery(retry, BackoffPolicy.Linear, TimeSpan.FromMilliseconds(5), deadLetters.Url))));
}
