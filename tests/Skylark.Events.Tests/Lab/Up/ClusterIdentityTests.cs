using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Skylark.Events.Contracts;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Up;

/// <summary>
/// Sender identity in <c>skylark up</c> (in-process): on by default, every identity has a token in the endpoints file,
/// the broker and the StateSinks refuse anonymous senders (401) and senders no EventPolicy admits (403), and the
/// pipeline's own senders get through; <c>--auth off</c> opens every receiver again.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed class ClusterIdentityTests
{
    [Fact]
    public async Task Every_identity_gets_a_token_naming_it_as_a_service_account_for_the_receivers_it_may_address()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(UpScenarios.ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);

        var tokens = cluster.Endpoints.Tokens!;

        Assert.Equal(
            ["alarm", "broker", "camera-ingest", "detect", "operator", "predictor", "preprocess", "statesink-cloud", "statesink-edge", "statesink-sat"],
            tokens.Keys.Order(StringComparer.Ordinal));
        var predictor = new JsonWebToken(tokens[ClusterIdentity.Predictor]);
        Assert.Equal("system:serviceaccount:skylark:predictor", predictor.Subject);
        Assert.Equal([SkylarkAudiences.DefaultBroker], predictor.Audiences);
        Assert.Contains(SkylarkAudiences.StateSink("sat"), new JsonWebToken(tokens["detect"]).Audiences);
    }

    [Fact]
    public async Task The_broker_and_the_statesinks_refuse_anonymous_senders_and_senders_no_policy_admits_and_the_pipeline_still_moves_state()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(UpScenarios.ThreeNodes(work.Path), NullLoggerFactory.Instance, CancellationToken.None);
        var endpoints = cluster.Endpoints;
        var propagate = UpScenarios.Propagate(StateRef.Parse("edge/wf-forged/preprocess.frame"), to: "cloud");

        Assert.Equal(HttpStatusCode.Unauthorized, await UpScenarios.PostAnonymouslyAsync(endpoints.Broker, propagate));
        Assert.Equal(HttpStatusCode.Unauthorized, await UpScenarios.PostAnonymouslyAsync(endpoints.Nodes["cloud"].Sink, propagate));
        Assert.Equal(HttpStatusCode.Forbidden, await UpScenarios.PostAsync(endpoints, propagate, identity: ClusterIdentity.CameraIngest));
        // The predictor's token names the broker alone: a StateSink refuses it as meant for someone else.
        Assert.Equal(HttpStatusCode.Unauthorized, await UpScenarios.PostAsync(endpoints, propagate, ingress: endpoints.Nodes["cloud"].Sink, identity: ClusterIdentity.Predictor));

        // The predictor's own commands, delivered by the broker as the propagate Trigger, still move state.
        await UpScenarios.A_completion_makes_the_predictor_move_the_output_to_the_successors_node(endpoints, "wf-identified");
    }

    [Fact]
    public async Task With_auth_off_anyone_may_send_and_the_endpoints_file_has_no_tokens()
    {
        using var work = new ScratchDirectory();
        await using var cluster = await EmulatedCluster.StartAsync(
            UpScenarios.ThreeNodes(work.Path) with { Auth = false }, NullLoggerFactory.Instance, CancellationToken.None);
        var source = StateRef.Parse("edge/wf-open/preprocess.frame");

        Assert.Null(cluster.Endpoints.Tokens);
        Assert.Equal(HttpStatusCode.Accepted, await UpScenarios.PostAnonymouslyAsync(cluster.BrokerIngress, UpScenarios.Propagate(source, to: "cloud")));
        Assert.False(Directory.Exists(Path.Combine(work.Path, "identity")));
    }
}
