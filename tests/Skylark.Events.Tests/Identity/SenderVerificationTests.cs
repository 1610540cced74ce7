using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Identity;

public sealed class SenderVerificationTests
{
    private const string Broker = "eventing.knative.dev/broker/skylark/default";
    private const string Sender = "system:serviceaccount:skylark:camera-ingest";

    [Fact]
    public async Task A_token_from_the_local_issuer_authenticates_its_subject_through_discovery()
    {
        using var scratch = new ScratchDirectory();
        var (issuerApp, issuer) = await KestrelApp.StartIssuerAsync(scratch.Path, TokenRequestPolicy.None);
        await using var _ = issuerApp;
        using var __ = issuer;
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.Issuer = issuer.Issuer);

        var answer = await ReceiverAnswer.PostAsync(receiver.Url, Broker, issuer.Issue(Sender, [Broker], TimeSpan.FromMinutes(10)));

        Assert.Equal((HttpStatusCode.OK, Sender), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task Without_a_token_the_receiver_answers_401_naming_the_audience_and_health_stays_open()
    {
        using var scratch = new ScratchDirectory();
        using var issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:1"));
        issuer.WriteKeySet(scratch.File("jwks.json"));
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.KeySetFile = scratch.File("jwks.json"));
        using var client = new HttpClient();

        var answer = await ReceiverAnswer.PostAsync(receiver.Url, Broker, token: null);
        var health = await client.GetAsync(new Uri(receiver.Url, "/healthz"));

        Assert.Equal(
            (HttpStatusCode.Unauthorized, $"401: a bearer token for audience {Broker} is required", "Bearer"),
            (answer.Status, answer.Body, answer.Challenge));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_invalid_as_the_wrong_audience()
    {
        await using var setup = await KeySetReceiver.StartAsync();

        var answer = await ReceiverAnswer.PostAsync(
            setup.Receiver.Url, Broker, setup.Issuer.Issue(Sender, ["eventing.knative.dev/broker/skylark/other"], TimeSpan.FromMinutes(10)));

        Assert.Equal(
            (HttpStatusCode.Unauthorized, "401: the bearer token is invalid: wrong audience", "Bearer error=\"invalid_token\", error_description=\"wrong audience\""),
            (answer.Status, answer.Body, answer.Challenge));
    }

    [Fact]
    public async Task A_token_with_several_audiences_is_valid_for_each()
    {
        await using var setup = await KeySetReceiver.StartAsync();
        var token = setup.Issuer.Issue(Sender, ["sink-a", Broker], TimeSpan.FromMinutes(10));

        var answer = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, token);

        Assert.Equal((HttpStatusCode.OK, Sender), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task An_expired_token_is_invalid_as_expired()
    {
        await using var setup = await KeySetReceiver.StartAsync();
        var twoHoursAgo = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        using var pastIssuer = LocalTokenIssuer.CreateOrLoad(setup.Directory.Path, setup.Issuer.Issuer, twoHoursAgo);

        var answer = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, pastIssuer.Issue(Sender, [Broker], TimeSpan.FromHours(1)));

        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: it has expired"), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task A_token_verified_once_is_accepted_again_until_it_expires_and_not_after()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var setup = await KeySetReceiver.StartAsync(clock);
        var token = setup.Issuer.Issue(Sender, [Broker], TimeSpan.FromMinutes(10));

        var first = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, token);
        var again = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, token);
        var otherAudience = await ReceiverAnswer.PostAsync(setup.Receiver.Url, "sink-a", token);
        clock.Advance(TimeSpan.FromMinutes(11));
        var afterExpiry = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, token);

        Assert.Equal((HttpStatusCode.OK, Sender), (first.Status, first.Body));
        Assert.Equal((HttpStatusCode.OK, Sender), (again.Status, again.Body));
        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: wrong audience"), (otherAudience.Status, otherAudience.Body));
        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: it has expired"), (afterExpiry.Status, afterExpiry.Body));
    }

    [Fact]
    public async Task A_token_signed_with_the_trusted_key_under_another_issuer_name_is_invalid_as_the_wrong_issuer()
    {
        await using var setup = await KeySetReceiver.StartAsync();
        using var impostor = LocalTokenIssuer.CreateOrLoad(setup.Directory.Path, new Uri("http://127.0.0.1:2"));

        var answer = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, impostor.Issue(Sender, [Broker], TimeSpan.FromMinutes(10)));

        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: wrong issuer"), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task A_token_whose_claims_were_changed_after_signing_is_invalid_as_a_bad_signature()
    {
        await using var setup = await KeySetReceiver.StartAsync();
        var parts = setup.Issuer.Issue(Sender, [Broker], TimeSpan.FromMinutes(10)).Split('.');
        var claims = Base64UrlEncoder.Decode(parts[1]).Replace(Sender, "system:serviceaccount:skylark:broker", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(claims))}.{parts[2]}";

        var answer = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, tampered);

        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: bad signature"), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task A_token_from_a_different_key_under_the_same_issuer_name_is_invalid_as_an_unknown_key()
    {
        await using var setup = await KeySetReceiver.StartAsync();
        using var elsewhere = new ScratchDirectory();
        using var stranger = LocalTokenIssuer.CreateOrLoad(elsewhere.Path, setup.Issuer.Issuer);

        var answer = await ReceiverAnswer.PostAsync(setup.Receiver.Url, Broker, stranger.Issue(Sender, [Broker], TimeSpan.FromMinutes(10)));

        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: signed by an unknown key"), (answer.Status, answer.Body));
    }

    [Fact]
    public async Task An_issuer_that_is_plain_http_off_this_machine_stops_the_start()
    {
        var start = KestrelApp.StartReceiverAsync(o => o.Issuer = new Uri("http://kubernetes.default.svc"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => start);

        Assert.Contains("must be https", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A local issuer whose key set file a receiver trusts, with the issuer's name checked too.</summary>
    private sealed class KeySetReceiver : IAsyncDisposable
    {
        private KeySetReceiver(ScratchDirectory directory, LocalTokenIssuer issuer, KestrelApp receiver)
        {
            Directory = directory;
            Issuer = issuer;
            Receiver = receiver;
        }

        public ScratchDirectory Directory { get; }

        public LocalTokenIssuer Issuer { get; }

        public KestrelApp Receiver { get; }

        public static async Task<KeySetReceiver> StartAsync(TimeProvider? time = null)
        {
            var directory = new ScratchDirectory();
            var issuer = LocalTokenIssuer.CreateOrLoad(directory.Path, new Uri("http://127.0.0.1:1"));
            issuer.WriteKeySet(directory.File("jwks.json"));
            var receiver = await KestrelApp.StartReceiverAsync(o =>
            {
                o.KeySetFile = directory.File("jwks.json");
                o.Issuer = issuer.Issuer;
            }, time);
            return new KeySetReceiver(directory, issuer, receiver);
        }

        public async ValueTask DisposeAsync()
        {
            await Receiver.DisposeAsync();
            Issuer.Dispose();
            Directory.Dispose();
        }
    }
}
