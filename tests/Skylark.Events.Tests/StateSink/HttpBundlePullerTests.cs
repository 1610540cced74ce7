using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Skylark.Events.Contracts;
using Skylark.Events.State;
using Skylark.Events.State.Wire;
using Skylark.Events.StateSink.Pulling;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>The node's <see cref="IBundlePuller"/> over HTTP, used by a function's <see cref="TieredStateReader"/>.</summary>
public sealed class HttpBundlePullerTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    [Fact]
    public async Task A_reader_on_another_node_pulls_through_the_sinks_keeps_a_copy_and_reads_it_locally_next_time()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/detect.background");
        var written = await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("bg", padding: 20_000));
        var reader = cluster.Edge.Services.GetRequiredService<IStateReader>();

        var first = await reader.ReadAsync(stateRef);
        var second = await reader.ReadAsync(stateRef);

        Assert.Equal(StateReadSource.Remote, first.Source);
        Assert.Equal(StateReadSource.Local, second.Source);
        Assert.Equal((written.Version, "bg"), (second.Bundle.Version, second.Bundle.Items.GetString("value")));
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        var copies = await cluster.Edge.Services.GetRequiredService<CopyLedger>().ReadAsync(CancellationToken.None);
        Assert.Equal(new CopyLedgerEntry(written.Version, written.SizeBytes, "sat-1"), copies["wf:detect.background"]);
    }

    [Fact]
    public async Task Reading_several_bundles_of_one_node_is_one_fused_fetch()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        StateRef[] refs = [StateRef.Parse("sat-1/wf/a"), StateRef.Parse("sat-1/wf/b"), StateRef.Parse("sat-1/wf/c")];
        foreach (var stateRef in refs)
        {
            await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items(stateRef.Bundle));
        }

        var results = await cluster.Edge.Services.GetRequiredService<IStateReader>().ReadManyAsync(refs);

        Assert.Equal(["a", "b", "c"], results.Select(r => r.Bundle.Items.GetString("value")));
        Assert.All(results, r => Assert.Equal(StateReadSource.Remote, r.Source));
        Assert.Equal((1L, 0L, 3L), (cluster.SatA.Counters.Peer.FetchRequests, cluster.SatA.Counters.Peer.BundleRequests, cluster.SatA.Counters.Peer.Served));
    }

    [Fact]
    public async Task A_missing_bundle_is_not_found_rather_than_an_error()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var puller = cluster.Edge.Services.GetRequiredService<HttpBundlePuller>();

        Assert.Null(await puller.PullAsync(StateRef.Parse("sat-1/wf/none"), CancellationToken.None));
        Assert.Equal([null, null], await puller.PullManyAsync("sat-1", [StateRef.Parse("sat-1/wf/x"), StateRef.Parse("sat-1/wf/y")], CancellationToken.None));
    }

    [Fact]
    public async Task A_wrong_peer_token_fails_the_pull_with_a_clear_reason()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        using var http = new HttpClient();
        var puller = new HttpBundlePuller(
            http,
            new StaticSinkDirectory([new("sat-1", cluster.SatA.BaseAddress)]),
            "edge-1",
            "not-the-token",
            new BundleWireLimits(1024));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => puller.PullAsync(StateRef.Parse("sat-1/wf/a"), CancellationToken.None));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("the peer token was rejected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_response_is_rejected_and_no_partial_bundle_is_stored()
    {
        var bundle = new Bundle(StateRef.Parse("sat-1/wf/frame"), 4, DateTimeOffset.UtcNow, SinkCluster.Items("frame", padding: 50_000));
        using var full = new MemoryStream();
        await BundleWireFormat.WriteAsync(full, [BundleWireEntry.Found(bundle)]);
        var truncated = full.ToArray()[..^100];
        await using var brokenSink = await StartBrokenSinkAsync(truncated);
        var options = nodes.Local.Options(RedisServer.NewKeyPrefix());
        var local = new BundleStore(nodes.Local.Redis, options);
        using var http = new HttpClient();
        var puller = new HttpBundlePuller(
            http, new StaticSinkDirectory([new("sat-1", brokenSink.Address)]), "edge-1", SinkCluster.PeerToken, BundleWireLimits.For(options));
        var reader = new TieredStateReader(local, new InFlightPulls(), new StateReadMetrics(), puller, options);

        var error = await Assert.ThrowsAsync<BundleWireFormatException>(() => reader.ReadAsync(bundle.StateRef));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Null(await local.GetVersionAsync(bundle.StateRef));
    }

    /// <summary>A real HTTP server that answers every bundle request with <paramref name="body"/> as a bundle stream.</summary>
    private static async Task<BrokenSink> StartBrokenSinkAsync(byte[] body)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/peer/bundles/{workflowId}/{bundle}", async context =>
        {
            context.Response.ContentType = BundleWireFormat.MediaType;
            await context.Response.Body.WriteAsync(body);
        });
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync();
        return new BrokenSink(app, new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()));
    }

    private sealed record BrokenSink(WebApplication App, Uri Address) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
