using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Identity;

namespace Skylark.Events.StateSink;

/// <summary>
/// Knative's sender identity at a StateSink's event endpoint: a bearer token for the node's own Service (the
/// per-node Trigger's subscriber audience) or for the Service of all sinks (the sync PingSources, and round-robin
/// functions, which cannot know their node when rendered), and an EventPolicy <c>to</c> a Service labelled
/// <c>skylark.io/component: statesink</c> admitting its subject and the event. With verification off every sender is
/// accepted, with a warning at start. The peer API keeps its own token.
/// </summary>
public sealed partial class StateSinkSenderCheck
{
    /// <summary>The label the shipped policies select StateSinks by.</summary>
    public static readonly KeyValuePair<string, string> ComponentLabel = new("skylark.io/component", "statesink");

    private readonly SenderAuthenticator _authenticator;
    private readonly EventPolicyAuthorizer _authorizer;
    private readonly string[] _audiences;
    private readonly ILogger<StateSinkSenderCheck> _logger;

    public StateSinkSenderCheck(SenderAuthenticator authenticator, StateSinkOptions options, string node, ILogger<StateSinkSenderCheck> logger)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(node);
        _authenticator = authenticator;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _authorizer = new EventPolicyAuthorizer(options.Policies, options.DefaultAuthorization);
        _audiences = [SkylarkAudiences.StateSink(node), SkylarkAudiences.StateSinks];
        Receiver = new PolicyReceiver(
            "serving.knative.dev",
            "Service",
            SkylarkDefaults.Namespace,
            $"statesink-{node}",
            new Dictionary<string, string> { [ComponentLabel.Key] = ComponentLabel.Value });

        // Built when the endpoint is mapped, so this says it once, at start.
        if (!Enabled)
        {
            LogIdentityOff(options.Policies.Count == 0
                ? string.Empty
                : $" The {options.Policies.Count} EventPolicy(ies) loaded are not applied: without a verified token there is no subject to match.");
        }
    }

    public bool Enabled => _authenticator.Enabled;

    /// <summary>What EventPolicies see this sink as.</summary>
    public PolicyReceiver Receiver { get; }

    /// <summary>The audiences a sender's token may name: the node's own first, then the shared one.</summary>
    public IReadOnlyList<string> Audiences => _audiences;

    /// <summary>The sender of a request; null when verification is off.</summary>
    public async Task<SenderAuthentication?> AuthenticateAsync(HttpContext context) =>
        Enabled ? await _authenticator.AuthenticateAsync(context, _audiences).ConfigureAwait(false) : null;

    /// <summary>Null when <paramref name="subject"/> may send <paramref name="cloudEvent"/> here, else the 403 text.</summary>
    public string? Refusal(string subject, CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var decision = _authorizer.Authorize(Receiver, subject, cloudEvent);
        if (decision.Allowed)
        {
            return null;
        }

        LogRefused(cloudEvent.Id, cloudEvent.Type, subject, decision.Reason);
        return $"403: {subject} may not send events of type {cloudEvent.Type} to {Receiver}: {decision.Reason}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sender identity is off: no --oidc-issuer or --oidc-keys is set, so anyone who reaches the StateSink may send it any event; set --oidc-issuer or --oidc-keys.{PoliciesNote}")]
    private partial void LogIdentityOff(string policiesNote);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused event {EventId} of type {Type} from {Subject}: {Reason}")]
    private partial void LogRefused(string? eventId, string? type, string subject, string reason);
}
