using System.Net.Http.Headers;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Skylark.Events.Bindings;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Delivery;

/// <summary>
/// The broker as a sender: deliveries carry a token as their Trigger when the destination names an audience, and a
/// subscriber's reply re-enters only if an EventPolicy admits its Trigger's identity.
/// </summary>
public sealed class SenderTokenTests : IAsyncLifetime
{
    private const string BrokerAccount = "system:serviceaccount:test:broker";
    private const string Audience = "serving.knative.dev/service/test/audited";

    private readonly ScratchDirectory scratch = new();
    private TestSubscriber audited = null!;
    private TestSubscriber open = null!;
    private TestSubscriber deadLetters = null!;

    public async Task InitializeAsync()
    {
        audited = await TestSubscriber.StartAsync();
        open = await TestSubscriber.StartAsync();
        deadLetters = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await audited.DisposeAsync();
        await open.DisposeAsync();
        await deadLetters.DisposeAsync();
        scratch.Dispose();
    }

    [Fact]
    public async Task A_delivery_to_a_subscriber_with_an_audience_carries_a_token_as_its_trigger_and_one_without_carries_none()
    {
        var (issuerApp, issuer) = await KestrelApp.StartIssuerAsync(
            scratch.Path, TokenRequestPolicy.From((caller, _) => caller == BrokerAccount));
        await using var _ = issuerApp;
        using var __ = issuer;
        File.WriteAllText(scratch.File("broker.token"), issuer.Issue(BrokerAccount, [issuer.Name], TimeSpan.FromMinutes(10)));
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(
                TestEventing.Trigger("audited", new Destination(null, audited.Url) { Audience = Audience }),
                TestEventing.Trigger("open", open.Url)),
            options =>
            {
                options.TokenIssuer = issuer.Issuer;
                options.TokenFile = scratch.File("broker.token");
            });

        await broker.SendAsync(TestEvents.Create());
        var withToken = Assert.Single(await audited.WaitForAsync(1));
        var without = Assert.Single(await open.WaitForAsync(1));

        var authorization = AuthenticationHeaderValue.Parse(withToken.Header("Authorization")!);
        Assert.Equal("Bearer", authorization.Scheme);
        var token = new JsonWebToken(authorization.Parameter);
        Assert.Equal(OidcIdentity.SubjectFor("eventing.knative.dev", "Trigger", TestEventing.Namespace, "audited"), token.Subject);
        Assert.Equal([Audience], token.Audiences);
        Assert.Equal(issuer.Name, token.Issuer);
        Assert.Null(without.Header("Authorization"));
    }

    [Fact]
    public async Task A_token_the_issuer_will_not_grant_fails_the_attempt_with_the_reason_and_is_retried()
    {
        var (issuerApp, issuer) = await KestrelApp.StartIssuerAsync(scratch.Path, TokenRequestPolicy.None);
        await using var _ = issuerApp;
        using var __ = issuer;
        File.WriteAllText(scratch.File("broker.token"), issuer.Issue(BrokerAccount, [issuer.Name], TimeSpan.FromMinutes(10)));
        await using var broker = await BrokerHost.StartAsync(
            TestEventing.Model(TestEventing.Trigger(
                "audited",
                new Destination(null, audited.Url) { Audience = Audience },
                delivery: TestEventing.Delivery(retry: 1, deadLetterSink: deadLetters.Url))),
            options =>
            {
                options.TokenIssuer = issuer.Issuer;
                options.TokenFile = scratch.File("broker.token");
            });

        await broker.SendAsync(TestEvents.Create(id: "no-token"));
        var dead = Assert.Single(await deadLetters.WaitForAsync(1));
        await broker.WaitUntilIdleAsync();

        Assert.Equal(0, audited.Count);
        Assert.Equal(1, broker.Metrics.Retried);
        Assert.Equal("no-token", dead.CloudEvent.Id);
        var reason = Encoding.UTF8.GetString(Convert.FromBase64String(dead.Extension(DeadLetterAttributes.Data)!));
        Assert.Contains($"no token for {OidcIdentity.SubjectFor("eventing.knative.dev", "Trigger", TestEventing.Namespace, "audited")} to {Audience}", reason, StringComparison.Ordinal);
        Assert.Null(dead.Header("Authorization"));
    }

    [Fact]
    public async Task A_reply_no_policy_admits_from_its_trigger_is_refused_with_403_and_dead_lettered()
    {
        using var issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:1"));
        issuer.WriteKeySet(scratch.File("jwks.json"));
        File.WriteAllText(scratch.File("policies.yaml"), """
            apiVersion: eventing.knative.dev/v1alpha1
            kind: EventPolicy
            metadata:
              name: producer-only
              namespace: test
            spec:
              to:
                - ref:
                    apiVersion: eventing.knative.dev/v1
                    kind: Broker
                    name: default
              from:
                - sub: system:serviceaccount:test:producer
            """);
        var reply = TestEvents.Create("io.skylark.test.reply", id: "reply-1");
        audited.RespondWith(_ => SubscriberResponse.Replying(reply));
        var model = TestEventing.Model(TestEventing.Trigger(
            "replier",
            audited.Url,
            TestEventing.Type("io.skylark.test"),
            TestEventing.Delivery(retry: 3, deadLetterSink: deadLetters.Url))) with
        {
            EventPolicies = ResourceLoader.Load([scratch.File("policies.yaml")]).EventPolicies,
        };
        await using var broker = await BrokerHost.StartAsync(model, options => options.Verification.KeySetFile = scratch.File("jwks.json"));

        using var request = new HttpRequestMessage(HttpMethod.Post, broker.BrokerUrl())
        {
            Content = TestEvents.Create(id: "original").ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Bearer", issuer.Issue("system:serviceaccount:test:producer", [SkylarkAudiences.Broker(TestEventing.Namespace, TestEventing.BrokerName)], TimeSpan.FromMinutes(10)));
        using var accepted = await broker.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        var dead = Assert.Single(await deadLetters.WaitForAsync(1));
        await broker.WaitUntilIdleAsync();

        Assert.Equal(1, audited.Count);
        Assert.Equal(0, broker.Metrics.Retried);
        Assert.Equal("original", dead.CloudEvent.Id);
        Assert.Equal("403", dead.Extension(DeadLetterAttributes.Code));
        Assert.Equal(broker.BrokerUrl().AbsoluteUri, dead.Extension(DeadLetterAttributes.Destination));
        var reason = Encoding.UTF8.GetString(Convert.FromBase64String(dead.Extension(DeadLetterAttributes.Data)!));
        Assert.StartsWith(
            $"403: {OidcIdentity.SubjectFor("eventing.knative.dev", "Trigger", TestEventing.Namespace, "replier")} may not send events of type io.skylark.test.reply to Broker test/default: ",
            reason,
            StringComparison.Ordinal);
        Assert.Contains("producer-only", reason, StringComparison.Ordinal);
    }
}
