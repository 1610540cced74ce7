using System.Net;
using System.Net.Http.Headers;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Identity;
using Skylark.Events.StateSink;
using Skylark.Events.StateSink.Propagation;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>
/// A StateSink's <c>POST /</c> with sender identity on: tokens from a local issuer whose key set the sinks trust, and
/// the shipped EventPolicies (eventing/policies.yaml). Three real sinks, each on its own redis-server.
/// </summary>
public sealed class SenderIdentityTests(RedisNodes nodes) : IClassFixture<RedisNodes>, IDisposable
{
    private const string Detect = "system:serviceaccount:skylark:detect";
    private const string Predictor = "system:serviceaccount:skylark:predictor";

    private readonly ScratchDirectory scratch = new();
    private LocalTokenIssuer? issuer;

    public void Dispose()
    {
        issuer?.Dispose();
        scratch.Dispose();
    }

    [Fact]
    public async Task Without_a_token_a_command_is_refused_with_401_and_no_reply_event()
    {
        await using var cluster = await StartAsync();

        using var response = await PostAsync(cluster.Edge, Command(), token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal($"401: a bearer token for audience {SkylarkAudiences.StateSink("edge-1")} is required", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("ce-type"));
        Assert.Equal(new PropagationCounts(0, 0, 0), cluster.Edge.Counters.Propagations);
    }

    [Fact]
    public async Task A_functions_token_for_the_nodes_sink_propagates()
    {
        await using var cluster = await StartAsync();
        var written = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        using var client = Client(cluster.Edge, Token(Detect, SkylarkAudiences.StateSink("edge-1")));

        var (_, data) = await SinkCluster.SendAsync(client, Command());

        Assert.Equal(PropagationOutcomes.Pulled, data.Outcome);
        Assert.Equal(written.Version, (await cluster.Edge.Store.ReadAsync(StateRef.Parse("sat-1/wf/preprocess")))!.Version);
    }

    [Fact]
    public async Task A_token_for_another_nodes_sink_is_refused_as_the_wrong_audience()
    {
        await using var cluster = await StartAsync();

        using var response = await PostAsync(cluster.Edge, Command(), Token(Detect, SkylarkAudiences.StateSink("sat-1")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("401: the bearer token is invalid: wrong audience", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_predictor_may_not_command_a_sink_and_gets_a_plain_403()
    {
        await using var cluster = await StartAsync();

        using var response = await PostAsync(cluster.Edge, Command(), Token(Predictor, SkylarkAudiences.StateSink("edge-1")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith($"403: {Predictor} may not send events of type {EventTypes.StatePropagate} to Service skylark/statesink-edge-1: ", body, StringComparison.Ordinal);
        Assert.Contains("statesink-commands", body, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("ce-type"));
        Assert.Equal(new PropagationCounts(0, 0, 0), cluster.Edge.Counters.Propagations);
    }

    [Fact]
    public async Task The_pingsources_token_for_the_shared_audience_runs_the_sync()
    {
        await using var cluster = await StartAsync();
        cluster.Edge.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", Token(OidcIdentity.SubjectFor("sources.knative.dev", "PingSource", "skylark", "statesink-sync"), SkylarkAudiences.StateSinks));

        var status = await SinkCluster.PingAsync(cluster.Edge);

        Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted });
    }

    [Fact]
    public async Task The_fair_share_of_awaiting_fetches_counts_the_verified_subject_not_the_claimed_source()
    {
        await using var cluster = await StartAsync(options =>
        {
            options.MaxAwaitingPulls = 4;
            options.MaxAwaitingPullsPerSender = 1;
        });
        var propagator = cluster.Edge.Services.GetRequiredService<BundlePropagator>();
        using var client = Client(cluster.Edge, Token(Detect, SkylarkAudiences.StateSink("edge-1")));
        var first = SinkCluster.SendAsync(client, Awaiting("/claims/one", "wf-1"));
        await Poll.UntilAsync(() => propagator.AwaitingPullsOf(Detect) == 1, "the first command's fetch waits, counted for its subject");

        var (_, second) = await SinkCluster.SendAsync(client, Awaiting("/claims/two", "wf-2")).WaitAsync(SinkCluster.Bound);

        Assert.Equal(PropagationOutcomes.Failed, second.Outcome);
        Assert.Contains($"the sender '{Detect}' already has 1 fetch(es) waiting", second.Error, StringComparison.Ordinal);
        Assert.Equal(0, propagator.AwaitingPullsOf("/claims/one"));
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf-1/preprocess"), SinkCluster.Items("frame"));
        Assert.Equal(PropagationOutcomes.Pulled, (await first.WaitAsync(SinkCluster.Bound)).Data.Outcome);
    }

    private static CloudEvent Command() =>
        SinkCluster.Propagate("edge-1", SinkCluster.PropagateData("sat-1", "edge-1", "sat-1/wf/preprocess"), workflowId: "wf");

    private static CloudEvent Awaiting(string source, string workflowId)
    {
        var command = SinkCluster.Propagate(
            "edge-1",
            new
            {
                bundles = new[] { $"sat-1/{workflowId}/preprocess" },
                from = "sat-1",
                to = "edge-1",
                function = "detect",
                probability = 0.9,
                deadline = DateTimeOffset.UtcNow.AddMinutes(1),
                awaitWrite = true,
            },
            workflowId);
        command.Source = new Uri(source, UriKind.Relative);
        return command;
    }

    private static HttpClient Client(SinkNode node, string token)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<HttpResponseMessage> PostAsync(SinkNode node, CloudEvent command, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = command.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await node.Client.SendAsync(request);
    }

    private string Token(string subject, string audience) => issuer!.Issue(subject, [audience], TimeSpan.FromMinutes(10));

    private Task<SinkCluster> StartAsync(Action<StateSinkOptions>? configure = null)
    {
        issuer = LocalTokenIssuer.CreateOrLoad(scratch.Path, new Uri("http://127.0.0.1:1"));
        issuer.WriteKeySet(scratch.File("jwks.json"));
        var policies = ResourceLoader.Load([RepositoryPaths.InRoot("eventing", "policies.yaml")]).EventPolicies;
        return SinkCluster.StartAsync(nodes, (_, options) =>
        {
            options.Verification.KeySetFile = scratch.File("jwks.json");
            foreach (var policy in policies)
            {
                options.Policies.Add(policy);
            }

            configure?.Invoke(options);
        });
    }
}
