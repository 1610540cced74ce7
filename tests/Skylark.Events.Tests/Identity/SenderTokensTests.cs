using System.Net;
using Microsoft.Extensions.Time.Testing;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Identity;

public sealed class SenderTokensTests
{
    private const string Sender = "system:serviceaccount:skylark:camera-ingest";

    [Fact]
    public async Task A_token_file_is_read_again_once_the_kubelet_rewrote_it_and_the_check_interval_passed()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("token");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new TokenFileSenderTokens(path, clock);

        var absent = await tokens.GetTokenAsync("any", CancellationToken.None);
        clock.Advance(TokenFileSenderTokens.DefaultCheckInterval);
        File.WriteAllText(path, "first-token\n");
        var first = await tokens.GetTokenAsync("any", CancellationToken.None);
        File.WriteAllText(path, "second-token\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var cached = await tokens.GetTokenAsync("any", CancellationToken.None);
        clock.Advance(TokenFileSenderTokens.DefaultCheckInterval);
        var rotated = await tokens.GetTokenAsync("any", CancellationToken.None);

        Assert.Null(absent);
        Assert.Equal(("first-token", "first-token", "second-token"), (first, cached, rotated));
    }

    [Fact]
    public async Task The_handler_sends_a_bearer_token_for_its_audience_or_the_one_set_on_the_request()
    {
        using var scratch = new ScratchDirectory();
        using var issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:1"));
        issuer.WriteKeySet(scratch.File("jwks.json"));
        await using var receiver = await KestrelApp.StartReceiverAsync(o => o.KeySetFile = scratch.File("jwks.json"));
        var issuing = new IssuingTokens(issuer, Sender);
        using var client = new HttpClient(new BearerTokenHandler(issuing, "sink-a") { InnerHandler = new SocketsHttpHandler() });

        var fixedAudience = await ReceiverAnswer.PostAsync(receiver.Url, "sink-a", token: null, client);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.Url, "/?audience=sink-b"));
        request.Options.Set(BearerTokenHandler.AudienceKey, "sink-b");
        var perRequest = await ReceiverAnswer.FromAsync(await client.SendAsync(request));

        Assert.Equal((HttpStatusCode.OK, Sender), (fixedAudience.Status, fixedAudience.Body));
        Assert.Equal((HttpStatusCode.OK, Sender), (perRequest.Status, perRequest.Body));
        Assert.Equal(["sink-a", "sink-b"], issuing.Audiences);
    }

    /// <summary>Tokens straight from a local issuer, noting the audiences asked for.</summary>
    private sealed class IssuingTokens(LocalTokenIssuer issuer, string subject) : ISenderTokens
    {
        private readonly List<string> audiences = [];

        public IReadOnlyList<string> Audiences
        {
            get
            {
                lock (audiences)
                {
                    return [.. audiences];
                }
            }
        }

        public ValueTask<string?> GetTokenAsync(string audience, CancellationToken cancellationToken)
        {
            lock (audiences)
            {
                audiences.Add(audience);
            }

            return ValueTask.FromResult<string?>(issuer.Issue(subject, [audience], TimeSpan.FromMinutes(10)));
        }
    }
}
