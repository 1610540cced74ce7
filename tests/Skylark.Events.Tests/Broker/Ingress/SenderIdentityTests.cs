using System.Net;
using System.Net.Http.Headers;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Ingress;

/// <summary>
/// The ingress of the skylark/default Broker with the shipped EventPolicies (eventing/policies.yaml) and tokens
/// from a local issuer whose key set the broker trusts.
/// </summary>
public sealed class SenderIdentityTests : IAsyncLifetime
{
    private const string Predictor = "system:serviceaccount:skylark:predictor";
    private const string Operator = "system:serviceaccount:skylark:operator";

    private readonly ScratchDirectory scratch = new();
    private LocalTokenIssuer issuer = null!;
    private TestSubscriber subscriber = null!;

    public async Task InitializeAsync()
    {
        issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:1"));
        issuer.WriteKeySet(scratch.File("jwks.json"));
        subscriber = await TestSubscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await subscriber.DisposeAsync();
        issuer.Dispose();
        scratch.Dispose();
    }

    [Fact]
    public async Task Without_a_token_the_ingress_answers_401_with_a_challenge_and_counts_a_refusal()
    {
        await using var broker = await StartAsync(verify: true);

        using var response = await PostAsync(broker, TestEvents.Create(EventTypes.StatePropagate), token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal($"401: a bearer token for audience {SkylarkAudiences.DefaultBroker} is required", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, broker.Metrics.Rejected);
        Assert.Equal(0, broker.Metrics.Accepted);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_as_the_wrong_audience()
    {
        await using var broker = await StartAsync(verify: true);
        var token = issuer.Issue(Operator, [SkylarkAudiences.Broker("skylark", "other")], TimeSpan.FromMinutes(10));

        using var response = await PostAsync(broker, TestEvents.Create(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("401: the bearer token is invalid: wrong audience", await response.Content.ReadAsStringAsync());
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_refused_as_expired()
    {
        await using var broker = await StartAsync(verify: true);
        using var past = LocalTokenIssuer.CreateOrLoad(scratch.Path, issuer.Issuer, new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2)));
        var token = past.Issue(Operator, [SkylarkAudiences.DefaultBroker], TimeSpan.FromHours(1));

        using var response = await PostAsync(broker, TestEvents.Create(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("401: the bearer token is invalid: it has expired", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_predictor_may_not_send_a_function_completed_event_and_is_told_why()
    {
        await using var broker = await StartAsync(verify: true);

        using var response = await PostAsync(broker, TestEvents.Create(EventTypes.FunctionCompleted), Token(Predictor));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith($"403: {Predictor} may not send events of type {EventTypes.FunctionCompleted} to Broker skylark/default: ", body, StringComparison.Ordinal);
        Assert.Contains("EventPolicy predictor-propagates", body, StringComparison.Ordinal);
        Assert.Contains("does not pass its filters", body, StringComparison.Ordinal);
        Assert.Equal(1, broker.Metrics.Rejected);
        await broker.WaitUntilIdleAsync();
        Assert.Equal(0, subscriber.Count);
    }

    [Fact]
    public async Task The_predictor_sending_a_propagate_command_is_accepted_and_delivered()
    {
        await using var broker = await StartAsync(verify: true);

        using var response = await PostAsync(broker, TestEvents.Create(EventTypes.StatePropagate, id: "cmd-1"), Token(Predictor));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var delivered = Assert.Single(await subscriber.WaitForAsync(1));
        Assert.Equal("cmd-1", delivered.CloudEvent.Id);
    }

    [Fact]
    public async Task The_operator_may_send_anything()
    {
        await using var broker = await StartAsync(verify: true);

        using var response = await PostAsync(broker, TestEvents.Create("io.skylark.anything"), Token(Operator));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Without_verification_anyone_is_accepted_and_a_warning_says_so_once()
    {
        await using var broker = await StartAsync(verify: false);

        using var response = await PostAsync(broker, TestEvents.Create(EventTypes.FunctionCompleted), token: null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var warning = Assert.Single(broker.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Sender identity is off", StringComparison.Ordinal));
        Assert.Contains("anyone who reaches the ingress may send any event; set --oidc-issuer or --oidc-keys", warning.Message, StringComparison.Ordinal);
        Assert.Contains("EventPolicy(ies) loaded are not applied", warning.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostAsync(BrokerHost broker, CloudEvent cloudEvent, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, broker.BrokerUrl(ns: SkylarkDefaults.Namespace))
        {
            Content = cloudEvent.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await broker.Client.SendAsync(request);
    }

    private string Token(string subject) => issuer.Issue(subject, [SkylarkAudiences.DefaultBroker], TimeSpan.FromMinutes(10));

    private Task<BrokerHost> StartAsync(bool verify)
    {
        var policies = ResourceLoader.Load([RepositoryPaths.InRoot("eventing", "policies.yaml")]).EventPolicies;
        var model = TestEventing.Model(
            TestEventing.Broker(ns: SkylarkDefaults.Namespace),
            TestEventing.Trigger("propagate-sink", subscriber.Url, TestEventing.Type(EventTypes.StatePropagate), ns: SkylarkDefaults.Namespace)) with
        {
            EventPolicies = policies,
        };
        return BrokerHost.StartAsync(model, options =>
        {
            if (verify)
            {
                options.Verification.KeySetFile = scratch.File("jwks.json");
            }
        });
    }
}
