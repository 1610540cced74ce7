using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Identity;

public sealed class LocalTokenIssuerTests
{
    private const string Broker = "system:serviceaccount:skylark:broker";
    private const string Trigger = "system:serviceaccount:skylark:trigger-alarm";
    private const string Sink = "skylark.dev/statesink/edge-1";

    private static readonly TokenRequestPolicy BrokerActsForTriggers = TokenRequestPolicy.FromPrefixes(
        new Dictionary<string, IReadOnlyList<string>> { [Broker] = ["system:serviceaccount:skylark:trigger-"] });

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_key_is_kept_owner_only_reused_on_the_next_start_and_only_its_public_half_is_published()
    {
        using var scratch = new ScratchDirectory();
        var url = new Uri("http://127.0.0.1:7000");

        using var first = LocalTokenIssuer.CreateOrLoad(scratch.Path, url);
        using var second = LocalTokenIssuer.CreateOrLoad(scratch.Path, url);
        first.WriteKeySet(scratch.File("jwks.json"));

        var key = JsonDocument.Parse(File.ReadAllText(scratch.File("jwks.json"))).RootElement.GetProperty("keys").EnumerateArray().Single();
        var jwk = new JsonWebKey(key.GetRawText());
        Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(scratch.File(LocalTokenIssuer.KeyFileName)));
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal((first.KeyId, "EC", "P-256", "ES256"), (jwk.Kid, jwk.Kty, jwk.Crv, jwk.Alg));
        Assert.False(key.TryGetProperty("d", out _));
        Assert.Equal(Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()), first.KeyId);
    }

    [Fact]
    public void An_issuer_loaded_again_from_the_same_key_issues_after_the_first_one_is_disposed()
    {
        using var scratch = new ScratchDirectory();
        var url = new Uri("http://127.0.0.1:7000");
        using (var first = LocalTokenIssuer.CreateOrLoad(scratch.Path, url))
        {
            first.Issue("system:serviceaccount:skylark:a", ["aud"], TimeSpan.FromMinutes(10));
        }

        using var second = LocalTokenIssuer.CreateOrLoad(scratch.Path, url);
        var token = new JsonWebToken(second.Issue("system:serviceaccount:skylark:b", ["aud"], TimeSpan.FromMinutes(10)));

        Assert.Equal("system:serviceaccount:skylark:b", token.Subject);
    }

    [Fact]
    public void Discovery_points_at_the_key_set_where_the_api_server_serves_it()
    {
        using var scratch = new ScratchDirectory();
        using var issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:7000/"));

        var discovery = JsonDocument.Parse(issuer.DiscoveryJson).RootElement;

        Assert.Equal(
            ("http://127.0.0.1:7000", "http://127.0.0.1:7000/openid/v1/jwks", "ES256"),
            (discovery.GetProperty("issuer").GetString(), discovery.GetProperty("jwks_uri").GetString(),
                discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Single().GetString()));
    }

    [Fact]
    public void An_issued_token_carries_the_registered_claims_with_one_audience_as_a_string()
    {
        using var scratch = new ScratchDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:7000"), clock);

        var token = new JsonWebToken(issuer.Issue(Trigger, [Sink], TimeSpan.FromMinutes(10)));
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement;

        Assert.Equal(("ES256", issuer.KeyId, "http://127.0.0.1:7000", Trigger), (token.Alg, token.Kid, token.Issuer, token.Subject));
        Assert.Equal(JsonValueKind.String, payload.GetProperty("aud").ValueKind);
        Assert.Equal((1796472000L, 1796472000L, 1796472600L), (payload.GetProperty("iat").GetInt64(), payload.GetProperty("nbf").GetInt64(), payload.GetProperty("exp").GetInt64()));
        Assert.True(Guid.TryParse(payload.GetProperty("jti").GetString(), out _));
    }

    [Fact]
    public async Task The_token_endpoint_refuses_without_a_token_with_an_invalid_one_for_a_subject_not_allowed_and_a_bad_body()
    {
        using var scratch = new ScratchDirectory();
        var (app, issuer) = await KestrelApp.StartIssuerAsync(scratch.Path, BrokerActsForTriggers);
        await using var _ = app;
        using var __ = issuer;
        using var client = new HttpClient();
        var broker = issuer.Issue(Broker, [issuer.Name], TimeSpan.FromMinutes(10));

        var missing = await PostTokenRequestAsync(client, app.Url, null, new { subject = Trigger, audience = Sink });
        var wrongAudience = await PostTokenRequestAsync(client, app.Url, issuer.Issue(Broker, [Sink], TimeSpan.FromMinutes(10)), new { subject = Trigger, audience = Sink });
        var notAllowed = await PostTokenRequestAsync(client, app.Url, broker, new { subject = "system:serviceaccount:skylark:statesink", audience = Sink });
        var triggerAsCaller = await PostTokenRequestAsync(client, app.Url, issuer.Issue(Trigger, [issuer.Name], TimeSpan.FromMinutes(10)), new { subject = Trigger, audience = Sink });
        var misspelt = await PostTokenRequestAsync(client, app.Url, broker, new { subject = Trigger, audiences = new[] { Sink } });
        var tooShort = await PostTokenRequestAsync(client, app.Url, broker, new { subject = Trigger, audience = Sink, expirationSeconds = 10 });
        using var notJson = new StringContent("subject=x", Encoding.UTF8, "application/json");
        using var notJsonRequest = new HttpRequestMessage(HttpMethod.Post, new Uri(app.Url, "/token")) { Content = notJson };
        notJsonRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", broker);
        var garbled = await ReceiverAnswer.FromAsync(await client.SendAsync(notJsonRequest));

        Assert.Equal((HttpStatusCode.Unauthorized, $"401: a bearer token for audience {issuer.Name} is required"), (missing.Status, missing.Body));
        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: wrong audience"), (wrongAudience.Status, wrongAudience.Body));
        Assert.Equal((HttpStatusCode.Forbidden, $"403: {Broker} may not obtain tokens for system:serviceaccount:skylark:statesink"), (notAllowed.Status, notAllowed.Body));
        Assert.Equal(HttpStatusCode.Forbidden, triggerAsCaller.Status);
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.Status);
        Assert.StartsWith("400: the body is not a token request", misspelt.Body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "400: expirationSeconds must be from 600 to 172800"), (tooShort.Status, tooShort.Body));
        Assert.Equal(HttpStatusCode.BadRequest, garbled.Status);
        Assert.StartsWith("400: the body is not a token request", garbled.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_broker_obtains_a_triggers_token_that_the_receiver_authenticates_as_the_trigger_and_reuses_it_until_80_percent_of_its_life()
    {
        using var scratch = new ScratchDirectory();
        var (app, issuer) = await KestrelApp.StartIssuerAsync(scratch.Path, BrokerActsForTriggers);
        await using var _ = app;
        using var __ = issuer;
        File.WriteAllText(scratch.File("broker-token"), issuer.Issue(Broker, [issuer.Name], TimeSpan.FromHours(1)));
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.Issuer = issuer.Issuer);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = new HttpClient();
        var tokens = new IssuerSenderTokens(client, issuer.Issuer, new TokenFileSenderTokens(scratch.File("broker-token")), clock, TimeSpan.FromHours(1));

        var first = await tokens.GetTokenAsync(Trigger, Sink, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(47));
        var reused = await tokens.GetTokenAsync(Trigger, Sink, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(2));
        var renewed = await tokens.GetTokenAsync(Trigger, Sink, CancellationToken.None);
        var answer = await ReceiverAnswer.PostAsync(receiver.Url, Sink, renewed);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => tokens.GetTokenAsync(Broker, Sink, CancellationToken.None).AsTask());

        Assert.Equal(first, reused);
        Assert.NotEqual(first, renewed);
        Assert.Equal((HttpStatusCode.OK, Trigger), (answer.Status, answer.Body));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private static async Task<ReceiverAnswer> PostTokenRequestAsync(HttpClient client, Uri issuer, string? token, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(issuer, "/token")) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        return await ReceiverAnswer.FromAsync(response);
    }
}
