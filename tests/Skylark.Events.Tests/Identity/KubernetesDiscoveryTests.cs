using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Identity;

/// <summary>
/// Verification through discovery against a Kestrel server playing the Kubernetes API server: its discovery document
/// and key set as the API server writes them, and service-account tokens shaped like projected ones (RS256).
/// </summary>
public sealed class KubernetesDiscoveryTests
{
    private const string Audience = "eventing.knative.dev/broker/skylark/default";
    private const string Subject = "system:serviceaccount:skylark:camera-ingest";

    [Fact]
    public async Task A_projected_service_account_token_authenticates_and_discovery_carries_the_pods_own_token()
    {
        using var scratch = new ScratchDirectory();
        await using var apiServer = await FakeApiServer.StartAsync();
        File.WriteAllText(scratch.File("token"), "the-pods-own-token\n");
        await using var receiver = await KestrelApp.StartReceiverAsync(o =>
        {
            o.Issuer = apiServer.Url;
            o.DiscoveryTokenFile = scratch.File("token");
        });

        var answer = await ReceiverAnswer.PostAsync(receiver.Url, Audience, apiServer.SignServiceAccountToken(Subject, Audience));

        Assert.Equal((HttpStatusCode.OK, Subject), (answer.Status, answer.Body));
        Assert.Equal(["Bearer the-pods-own-token", "Bearer the-pods-own-token"], apiServer.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task A_token_signed_with_a_rotated_key_is_accepted_after_one_fetch_of_the_new_key_set()
    {
        await using var apiServer = await FakeApiServer.StartAsync();
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.Issuer = apiServer.Url);
        var before = await ReceiverAnswer.PostAsync(receiver.Url, Audience, apiServer.SignServiceAccountToken(Subject, Audience));
        var keySetFetchesBefore = apiServer.Requests.Count(r => r.Path == "/openid/v1/jwks");

        apiServer.RotateKey();
        var after = await ReceiverAnswer.PostAsync(receiver.Url, Audience, apiServer.SignServiceAccountToken(Subject, Audience));

        Assert.Equal((HttpStatusCode.OK, Subject), (before.Status, before.Body));
        Assert.Equal((HttpStatusCode.OK, Subject), (after.Status, after.Body));
        Assert.Equal((1, 2), (keySetFetchesBefore, apiServer.Requests.Count(r => r.Path == "/openid/v1/jwks")));
    }

    [Fact]
    public async Task Tokens_naming_unknown_keys_make_the_receiver_fetch_the_key_set_again_at_most_once_per_interval()
    {
        await using var apiServer = await FakeApiServer.StartAsync();
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.Issuer = apiServer.Url);
        using var forger = RsaKey.Create();

        var answers = new List<ReceiverAnswer>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await ReceiverAnswer.PostAsync(receiver.Url, Audience, apiServer.SignServiceAccountToken(Subject, Audience, key: forger)));
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: signed by an unknown key"), (a.Status, a.Body)));
        Assert.Equal(2, apiServer.Requests.Count(r => r.Path == "/openid/v1/jwks"));
    }

    [Fact]
    public async Task When_the_issuer_cannot_be_reached_the_token_is_refused_saying_the_keys_are_unavailable_and_health_still_answers()
    {
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.Issuer = TestEvents.UnreachableUrl());
        using var client = new HttpClient();
        using var healthRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(receiver.Url, "/healthz"));
        healthRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "e30.e30.c2ln");

        var answer = await ReceiverAnswer.PostAsync(receiver.Url, Audience, "e30.e30.c2ln");
        using var health = await client.SendAsync(healthRequest);

        Assert.Equal(
            (HttpStatusCode.Unauthorized, "401: the bearer token is invalid: the issuer's keys are unavailable to the receiver"),
            (answer.Status, answer.Body));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_token_from_another_cluster_is_invalid_as_the_wrong_issuer()
    {
        await using var apiServer = await FakeApiServer.StartAsync();
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.Issuer = apiServer.Url);

        var answer = await ReceiverAnswer.PostAsync(
            receiver.Url, Audience, apiServer.SignServiceAccountToken(Subject, Audience, issuer: "https://kubernetes.default.svc.cluster.local"));

        Assert.Equal((HttpStatusCode.Unauthorized, "401: the bearer token is invalid: wrong issuer"), (answer.Status, answer.Body));
    }

    private sealed record ApiRequest(string Path, string? Authorization);

    private sealed class FakeApiServer : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ApiRequest> requests = new();
        private KestrelApp app = null!;
        private volatile RsaKey current = RsaKey.Create();

        public Uri Url => app.Url;

        public IReadOnlyList<ApiRequest> Requests => [.. requests];

        public static async Task<FakeApiServer> StartAsync()
        {
            var server = new FakeApiServer();
            server.app = await KestrelApp.StartAsync(_ => { }, web =>
            {
                web.Use(async (context, next) =>
                {
                    server.requests.Enqueue(new ApiRequest(context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault()));
                    await next(context);
                });
                web.MapGet("/.well-known/openid-configuration", () => Results.Text(server.Discovery(), "application/json"));
                web.MapGet("/openid/v1/jwks", () => Results.Text(server.current.KeySetJson, "application/jwk-set+json"));
            });
            return server;
        }

        /// <summary>The cluster signs with a new key from now on and publishes only that one.</summary>
        public void RotateKey()
        {
            var old = current;
            current = RsaKey.Create();
            old.Dispose();
        }

        public string SignServiceAccountToken(string subject, string audience, string? issuer = null, RsaKey? key = null)
        {
            var now = DateTime.UtcNow;
            var parts = subject.Split(':');
            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer ?? Url.AbsoluteUri.TrimEnd('/'),
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddHours(1),
                SigningCredentials = new SigningCredentials((key ?? current).Key, SecurityAlgorithms.RsaSha256),
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = subject,
                    ["aud"] = new[] { audience },
                    ["jti"] = Guid.NewGuid().ToString(),
                    ["kubernetes.io"] = new Dictionary<string, object>
                    {
                        ["namespace"] = parts[2],
                        ["node"] = new Dictionary<string, object> { ["name"] = "edge-1", ["uid"] = "7c2b7f5e-31a8-4c43-9f0e-2b1d4c7a9e10" },
                        ["pod"] = new Dictionary<string, object> { ["name"] = parts[3] + "-6d9f7c8b5-x2x7q", ["uid"] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" },
                        ["serviceaccount"] = new Dictionary<string, object> { ["name"] = parts[3], ["uid"] = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d" },
                        ["warnafter"] = new DateTimeOffset(now.AddMinutes(48)).ToUnixTimeSeconds(),
                    },
                },
            });
        }

        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync();
            current.Dispose();
        }

        // As `kubectl get --raw /.well-known/openid-configuration` prints it.
        private string Discovery()
        {
            var issuer = Url.AbsoluteUri.TrimEnd('/');
            return JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = issuer,
                ["jwks_uri"] = issuer + "/openid/v1/jwks",
                ["response_types_supported"] = new[] { "id_token" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        }
    }

    private sealed class RsaKey : IDisposable
    {
        private readonly RSA rsa;

        private RsaKey(RSA rsa, RsaSecurityKey key, string keySetJson)
        {
            this.rsa = rsa;
            Key = key;
            KeySetJson = keySetJson;
        }

        public RsaSecurityKey Key { get; }

        public string KeySetJson { get; }

        public static RsaKey Create()
        {
            var rsa = RSA.Create(2048);
            var parameters = rsa.ExportParameters(includePrivateParameters: false);
            var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            var json = JsonSerializer.Serialize(new
            {
                keys = new[]
                {
                    new { use = "sig", kty = "RSA", kid, alg = "RS256", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
                },
            });
            return new RsaKey(rsa, new RsaSecurityKey(rsa) { KeyId = kid }, json);
        }

        public void Dispose() => rsa.Dispose();
    }
}
