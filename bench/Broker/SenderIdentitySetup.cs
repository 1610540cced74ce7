using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Identity;

namespace Skylark.Events.Benchmarks.Broker;

/// <summary>
/// What the broker needs to verify a sender as <c>skylark up</c> sets it up: a key set from a local issuer, one
/// EventPolicy admitting one service account to send the benchmark's event type, and that account's token.
/// </summary>
internal sealed record SenderIdentitySetup(Uri Issuer, string KeySetFile, EventPolicyResource Policy, string Token)
{
    public const string EventType = "io.skylark.bench";

    public static SenderIdentitySetup Create(string directory)
    {
        // Receivers trust the key set file, so the issuer's URL is only the iss every token carries.
        using var issuer = LocalTokenIssuer.CreateOrLoad(directory, new Uri("http://127.0.0.1:9"));
        var keySet = Path.Combine(directory, "keys.json");
        issuer.WriteKeySet(keySet);
        var sender = OidcIdentity.Subject(ScenarioDriver.Namespace, "bench-sender");
        var policy = new EventPolicyResource(
            new ResourceMeta("bench-sender", ScenarioDriver.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>()),
            [new EventPolicyTarget(new EventPolicyTargetReference("eventing.knative.dev/v1", "Broker", ScenarioDriver.BrokerName), null)],
            [new EventPolicySender(null, sender)],
            [new SubscriptionsApiFilter(Exact: new Dictionary<string, string> { ["type"] = EventType })],
            new ResourceOrigin("bench", 0));
        var token = issuer.Issue(sender, [SkylarkAudiences.Broker(ScenarioDriver.Namespace, ScenarioDriver.BrokerName)], TimeSpan.FromHours(6));
        return new SenderIdentitySetup(issuer.Issuer, keySet, policy, token);
    }
}
