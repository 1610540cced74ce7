using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Identity;

namespace Skylark.Events.Broker.Ingress;

/// <summary>
/// Knative's sender identity at the broker: who sent an event (a bearer token for the Broker's audience) and whether
/// an EventPolicy (or the default authorization mode) lets that sender send it. Producers are checked at the ingress;
/// a subscriber's reply is checked under its Trigger's identity, as Knative's broker filter re-posts it with the
/// Trigger's token. With verification off every sender is accepted, as Knative does while its OIDC feature is off.
/// </summary>
internal sealed partial class IngressSenderCheck
{
    private const string TriggerGroup = "eventing.knative.dev";

    private readonly SenderAuthenticator authenticator;
    private readonly EventPolicyAuthorizer authorizer;
    private readonly ILogger<IngressSenderCheck> logger;

    // Per Broker, worked out once: this runs for every event at the ingress.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<BrokerRoute, (string Audience, PolicyReceiver Receiver)> receivers = new();

    public IngressSenderCheck(SenderAuthenticator authenticator, IOptions<BrokerOptions> options, ILogger<IngressSenderCheck> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.authenticator = authenticator;
        this.logger = logger;
        var settings = options.Value;
        authorizer = new EventPolicyAuthorizer(settings.Model.EventPolicies, settings.DefaultAuthorization);

        // Built when the ingress is mapped, so this says it once, at start.
        if (!Enabled)
        {
            var policies = settings.Model.EventPolicies.Count;
            LogIdentityOff(policies == 0
                ? string.Empty
                : $" The {policies} EventPolicy(ies) loaded are not applied: without a verified token there is no subject to match.");
        }
    }

    public bool Enabled => authenticator.Enabled;

    /// <summary>The sender of a request to <paramref name="broker"/>'s ingress; null when verification is off.</summary>
    public async Task<SenderAuthentication?> AuthenticateAsync(HttpContext context, BrokerRoute broker) =>
        Enabled ? await authenticator.AuthenticateAsync(context, ReceiverOf(broker).Audience) : null;

    /// <summary>Whether <paramref name="subject"/> may send <paramref name="cloudEvent"/> to <paramref name="broker"/>; null when allowed, else the 403 text.</summary>
    public string? Refusal(BrokerRoute broker, string subject, CloudEvent cloudEvent)
    {
        var decision = authorizer.Authorize(ReceiverOf(broker).Receiver, subject, cloudEvent);
        if (decision.Allowed)
        {
            return null;
        }

        LogRefused(broker.Name, subject, cloudEvent.Type, cloudEvent.Id, decision.Reason);
        return $"403: {subject} may not send events of type {cloudEvent.Type} to Broker {broker.Name}: {decision.Reason}";
    }

    /// <summary>The refusal of a subscriber's reply, checked as its Trigger's identity; null when allowed or verification is off.</summary>
    public string? ReplyRefusal(BrokerRoute broker, TriggerRoute trigger, CloudEvent reply) =>
        Enabled ? Refusal(broker, trigger.Identity, reply) : null;

    /// <summary>The OIDC subject Knative gives a Trigger: its deliveries and its subscriber's replies are sent as it.</summary>
    public static string TriggerSubject(Eventing.Resources.TriggerResource trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return OidcIdentity.SubjectFor(TriggerGroup, "Trigger", trigger.Meta.Namespace, trigger.Meta.Name);
    }

    private (string Audience, PolicyReceiver Receiver) ReceiverOf(BrokerRoute broker) =>
        receivers.GetOrAdd(broker, b => (SkylarkAudiences.Broker(b.Resource.Meta.Namespace, b.Resource.Meta.Name), PolicyReceiver.Broker(b.Resource)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sender identity is off: no --oidc-issuer or --oidc-keys is set, so anyone who reaches the ingress may send any event; set --oidc-issuer or --oidc-keys.{PoliciesNote}")]
    private partial void LogIdentityOff(string policiesNote);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused event {EventId} of type {Type} from {Subject} at broker {Broker}: {Reason}")]
    private partial void LogRefused(string broker, string subject, string? type, string? eventId, string reason);
}
