using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.State.Wire;
using Skylark.Events.StateSink;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.StateSink;

/// <summary>The peer API of a real sink (sat-1) over real HTTP.</summary>
public sealed class PeerApiTests(RedisNodes nodes) : IClassFixture<RedisNodes>
{
    private static readonly BundleWireLimits Limits = new(8 * 1024 * 1024);

    private static async Task<IReadOnlyList<BundleWireEntry>> ReadEntriesAsync(HttpResponseMessage response)
    {
        Assert.Equal(BundleWireFormat.MediaType, response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync();
        return await BundleWireFormat.ReadAsync(stream, Limits);
    }

    [Fact]
    public async Task Peer_requests_without_the_peer_token_are_refused_with_401()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/preprocess"), SinkCluster.Items("frame"));
        var client = cluster.SatA.Client;

        using var bundle = await client.GetAsync("/peer/bundles/wf/preprocess");
        using var fetch = await client.PostAsJsonAsync("/peer/bundles:fetch", new[] { "sat-1/wf/preprocess" });
        using var probe = await client.GetAsync("/peer/probe?bytes=10");
        using var wrongToken = new HttpRequestMessage(HttpMethod.Get, "/peer/bundles/wf/preprocess");
        wrongToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SinkCluster.PeerToken + "x");
        using var wrong = await client.SendAsync(wrongToken);
        using var basicAuth = new HttpRequestMessage(HttpMethod.Get, "/peer/bundles/wf/preprocess");
        basicAuth.Headers.Authorization = new AuthenticationHeaderValue("Basic", SinkCluster.PeerToken);
        using var basic = await client.SendAsync(basicAuth);

        Assert.All([bundle, fetch, probe, wrong, basic], r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal("Bearer", bundle.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(5, cluster.SatA.Counters.Peer.Unauthorized);
        Assert.Equal(0, cluster.SatA.Counters.Peer.Served);
    }

    [Fact]
    public async Task A_bundle_is_served_as_one_complete_wire_stream_with_its_version_as_entity_tag()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/preprocess");
        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("old"));
        var written = await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("frame", padding: 100_000));

        using var response = await cluster.SatA.PeerClient.GetAsync("/peer/bundles/wf/preprocess");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var entries = await ReadEntriesAsync(response);
        var bundle = Assert.Single(entries).Bundle!;
        Assert.Equal((stateRef, 2L, written.UpdatedAt, written.SizeBytes), (bundle.StateRef, bundle.Version, bundle.UpdatedAt, bundle.SizeBytes));
        Assert.Equal("frame", bundle.Items.GetString("value"));
        Assert.Equal(BundleWireFormat.Measure(entries), response.Content.Headers.ContentLength);
        Assert.Equal(1, cluster.SatA.Counters.Peer.Served);
        Assert.Equal(written.SizeBytes, cluster.SatA.Counters.Peer.BytesServed);
    }

    [Fact]
    public async Task An_unknown_bundle_is_404_and_an_invalid_name_is_400()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);

        using var missing = await cluster.SatA.PeerClient.GetAsync("/peer/bundles/wf/nothing");
        using var invalid = await cluster.SatA.PeerClient.GetAsync("/peer/bundles/wf/.hidden");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("does not hold bundle 'wf/nothing'", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(1, cluster.SatA.Counters.Peer.NotFound);
    }

    [Fact]
    public async Task If_None_Match_with_the_current_version_is_answered_304_and_with_an_older_one_with_the_bundle()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var stateRef = StateRef.Parse("sat-1/wf/preprocess");
        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("v1"));
        await cluster.SatA.Store.WriteAsync(stateRef, SinkCluster.Items("v2"));

        using var current = new HttpRequestMessage(HttpMethod.Get, "/peer/bundles/wf/preprocess");
        current.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"2\""));
        using var notModified = await cluster.SatA.PeerClient.SendAsync(current);
        using var older = new HttpRequestMessage(HttpMethod.Get, "/peer/bundles/wf/preprocess");
        older.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var changed = await cluster.SatA.PeerClient.SendAsync(older);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("\"2\"", notModified.Headers.ETag?.Tag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("v2", Assert.Single(await ReadEntriesAsync(changed)).Bundle!.Items.GetString("value"));
        Assert.Equal(1, cluster.SatA.Counters.Peer.NotModified);
    }

    [Fact]
    public async Task A_fused_fetch_answers_every_requested_bundle_in_order_in_one_response()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        var a = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/a"), SinkCluster.Items("a"));
        var b = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/b"), SinkCluster.Items("b"));
        var c = await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/c"), SinkCluster.Items("c"));
        var body = "[\"sat-1/wf/a\", {\"ref\": \"sat-1/wf/missing\"}, {\"ref\": \"sat-1/wf/b\", \"ifNoneMatch\": 1}, {\"ref\": \"sat-1/wf/c\", \"ifNoneMatch\": 7}]";

        using var response = await cluster.SatA.PeerClient.PostAsync("/peer/bundles:fetch", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = await ReadEntriesAsync(response);
        Assert.Equal(
            [(BundleWireStatus.Found, "sat-1/wf/a"), (BundleWireStatus.NotFound, "sat-1/wf/missing"), (BundleWireStatus.NotModified, "sat-1/wf/b"), (BundleWireStatus.Found, "sat-1/wf/c")],
            entries.Select(e => (e.Status, e.StateRef.ToString())));
        Assert.Equal("a", entries[0].Bundle!.Items.GetString("value"));
        Assert.Equal(b.Version, entries[2].Version);
        Assert.Equal("c", entries[3].Bundle!.Items.GetString("value"));
        var peer = cluster.SatA.Counters.Peer;
        Assert.Equal((1L, 2L, a.SizeBytes + c.SizeBytes, 1L, 1L), (peer.FetchRequests, peer.Served, peer.BytesServed, peer.NotFound, peer.NotModified));
    }

    [Theory]
    [InlineData("[\"sat-1/wf\"]", "has 2 segment(s)")]
    [InlineData("{\"refs\": []}", "JSON list")]
    [InlineData("[{\"ref\": \"sat-1/wf/a\", \"ifNoneMatch\": 0}]", "ifNoneMatch")]
    [InlineData("[null]", "null")]
    public async Task A_fetch_with_a_malformed_list_is_refused_with_400_and_the_reason(string body, string expected)
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);

        using var response = await cluster.SatA.PeerClient.PostAsync("/peer/bundles:fetch", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetch_of_more_refs_than_allowed_is_refused_with_400()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) => options.MaxFetchRefs = 3);

        using var response = await cluster.SatA.PeerClient.PostAsJsonAsync(
            "/peer/bundles:fetch", Enumerable.Range(0, 4).Select(i => $"sat-1/wf/b{i}").ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 3 bundles", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_probe_returns_exactly_the_bytes_asked_for_up_to_its_limit()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes, (_, options) => options.MaxProbeBytes = 300_000);

        using var probe = await cluster.SatA.PeerClient.GetAsync("/peer/probe?bytes=262144");
        using var empty = await cluster.SatA.PeerClient.GetAsync("/peer/probe?bytes=0");
        using var tooLarge = await cluster.SatA.PeerClient.GetAsync("/peer/probe?bytes=300001");
        using var negative = await cluster.SatA.PeerClient.GetAsync("/peer/probe?bytes=-1");

        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(262_144, (await probe.Content.ReadAsByteArrayAsync()).Length);
        Assert.Empty(await empty.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(2, cluster.SatA.Counters.Peer.ProbesServed);
    }

    [Fact]
    public async Task Health_status_and_metrics_need_no_token_status_is_json_and_metrics_are_Prometheus_text()
    {
        await using var cluster = await SinkCluster.StartAsync(nodes);
        await cluster.SatA.Store.WriteAsync(StateRef.Parse("sat-1/wf/a"), SinkCluster.Items("a"));
        using (await cluster.SatA.PeerClient.GetAsync("/peer/bundles/wf/a"))
        {
        }

        // The peer API counts a served bundle once the body is written, which the client may see finish first.
        const string served = "skylark_statesink_peer_bundles_total{otel_scope_name=\"Skylark.Events.StateSink\",outcome=\"served\"} 1";
        await Poll.UntilAsync(async () => (await cluster.SatA.Client.GetStringAsync("/metrics")).Contains(served, StringComparison.Ordinal), "the scrape shows the served bundle");

        var health = await cluster.SatA.Client.GetStringAsync("/healthz");
        var ready = await cluster.SatA.Client.GetStringAsync("/readyz");
        var report = await cluster.SatA.Client.GetFromJsonAsync<StateSinkReport>("/status", ContractJson.Options);
        using var raw = JsonDocument.Parse(await cluster.SatA.Client.GetStringAsync("/status"));

        Assert.Equal(("ok", "ok"), (health, ready));
        Assert.Equal("sat-1", report!.Node);
        Assert.Equal(1, report.Counters.Peer.Served);
        Assert.Equal(1, report.Counters.Peer.BundleRequests);
        Assert.Equal(1, raw.RootElement.GetProperty("counters").GetProperty("peer").GetProperty("served").GetInt64());
    }
}
