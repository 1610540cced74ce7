using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Eventing.Resources;
using Skylark.Events.Tests.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>A ping to a sink with an audience carries a token as the PingSource, as Knative's mtping adapter sends it.</summary>
public sealed class PingSourceTokenTests : IDisposable
{
    private const string BrokerAccount = "system:serviceaccount:skylark:broker";
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 10, 7, 13, TimeSpan.Zero);
    private static readonly DateTimeOffset First = new(2030, 1, 1, 10, 7, 20, TimeSpan.Zero);

    private readonly ScratchDirectory scratch = new();
    private readonly FakeTimeProvider clock = new();
    private readonly HttpClient http = new();

    public PingSourceTokenTests() => clock.SetUtcNow(Start);

    public void Dispose()
    {
        http.Dispose();
        scratch.Dispose();
    }

    [Fact]
    public async Task A_ping_to_the_shared_statesink_audience_carries_a_token_whose_subject_is_the_pingsource()
    {
        var (issuerApp, issuer) = await KestrelApp.StartIssuerAsync(scratch.Path, TokenRequestPolicy.From((caller, _) => caller == BrokerAccount));
        await using var _ = issuerApp;
        using var __ = issuer;
        File.WriteAllText(scratch.File("broker.token"), issuer.Issue(BrokerAccount, [issuer.Name], TimeSpan.FromMinutes(10)));
        var options = new BrokerOptions { TokenIssuer = issuer.Issuer, TokenFile = scratch.File("broker.token") };
        using var tokens = new DeliveryTokens(Options.Create(options), TimeProvider.System, NullLogger<DeliveryTokens>.Instance);
        await using var sink = await PingSink.StartAsync();
        var source = PingSourceResources.Create(
            "*/10 * * * * *",
            name: "statesink-sync",
            sinkDestination: new Destination(null, sink.Url) { Audience = SkylarkAudiences.StateSinks });
        await using var run = SchedulerRun.Start(new PingSourceScheduler(source, PingSourceResources.UriSinks, http, clock, new RecordingLogger(), tokens: tokens));

        await run.WhenAsync(s => s.NextDue == First && !s.InFlight);
        clock.SetUtcNow(First);
        var ping = await sink.NextAsync();

        Assert.StartsWith("Bearer ", ping.Headers["authorization"], StringComparison.Ordinal);
        var token = new JsonWebToken(ping.Headers["authorization"]["Bearer ".Length..]);
        Assert.Equal(OidcIdentity.SubjectFor("sources.knative.dev", "PingSource", "skylark", "statesink-sync"), token.Subject);
        Assert.Equal([SkylarkAudiences.StateSinks], token.Audiences);
    }

    [Fact]
    public async Task A_ping_to_a_sink_without_an_audience_carries_no_token()
    {
        var options = new BrokerOptions { TokenIssuer = new Uri("http://127.0.0.1:1"), TokenFile = scratch.File("absent.token") };
        using var tokens = new DeliveryTokens(Options.Create(options), TimeProvider.System, NullLogger<DeliveryTokens>.Instance);
        await using var sink = await PingSink.StartAsync();
        await using var run = SchedulerRun.Start(new PingSourceScheduler(
            PingSourceResources.Create("*/10 * * * * *", sink.Url), PingSourceResources.UriSinks, http, clock, new RecordingLogger(), tokens: tokens));

        await run.WhenAsync(s => s.NextDue == First && !s.InFlight);
        clock.SetUtcNow(First);
        var ping = await sink.NextAsync();

        Assert.False(ping.Headers.ContainsKey("authorization"));
    }
}
