using System.Collections.Concurrent;
using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Eventing.Policies;

/// <summary>
/// Knative's EventPolicy authorization for a receiver that has verified the sender's OIDC token. When policies
/// apply to the receiver, the event is admitted iff one of them admits the subject and the event passes all of that
/// policy's filters; when none applies, the <see cref="DefaultMode"/> decides.
/// </summary>
/// <remarks>
/// Built once from the loaded policies: subjects are resolved (a <c>from.ref</c> becomes the referenced resource's
/// OIDC service account, as Knative puts it in the policy's status) and filters compiled up front. The policies that
/// apply to a receiver are worked out on its first event and cached, since this runs for every event at the ingress.
/// Immutable and thread-safe.
/// </remarks>
public sealed class EventPolicyAuthorizer
{
    private readonly CompiledPolicy[] _policies;
    private readonly ConcurrentDictionary<PolicyReceiver, CompiledPolicy[]> _applying = new();

    /// <exception cref="ArgumentException">A policy's filter is invalid (a CESQL expression that does not parse).</exception>
    public EventPolicyAuthorizer(IEnumerable<EventPolicyResource> policies, AuthorizationMode defaultMode = AuthorizationMode.AllowSameNamespace)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (!Enum.IsDefined(defaultMode))
        {
            throw new ArgumentOutOfRangeException(nameof(defaultMode), defaultMode, "unknown authorization mode");
        }

        _policies = [.. policies.Select(p => new CompiledPolicy(p ?? throw new ArgumentException("The policies contain a null.", nameof(policies))))];
        DefaultMode = defaultMode;
    }

    public AuthorizationMode DefaultMode { get; }

    /// <summary>Whether any policy applies to <paramref name="receiver"/> (then policies, not the default mode, decide).</summary>
    public bool AppliesTo(PolicyReceiver receiver) => Applying(receiver).Length > 0;

    /// <summary>The names of the policies that apply to <paramref name="receiver"/>, in load order.</summary>
    public IReadOnlyList<string> PoliciesFor(PolicyReceiver receiver) => [.. Applying(receiver).Select(p => p.Name)];

    /// <summary>Decides whether <paramref name="subject"/> (a verified token's <c>sub</c>) may send <paramref name="cloudEvent"/> to <paramref name="receiver"/>.</summary>
    public PolicyDecision Authorize(PolicyReceiver receiver, string subject, CloudEvent cloudEvent)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var applying = Applying(receiver);
        if (applying.Length == 0)
        {
            return ByDefaultMode(receiver, subject);
        }

        List<string>? filteredOut = null;
        foreach (var policy in applying)
        {
            if (!policy.Admits(subject))
            {
                continue;
            }

            if (policy.Filter is null || policy.Filter.Filter(cloudEvent) != FilterResult.Fail)
            {
                return new PolicyDecision(true, $"EventPolicy {policy.Name} admits {subject} for {receiver}", policy.Name);
            }

            (filteredOut ??= []).Add(policy.Name);
        }

        var names = string.Join(", ", applying.Select(p => p.Name));
        return filteredOut is null
            ? new PolicyDecision(false, $"no EventPolicy applying to {receiver} ({names}) admits subject {subject}", null)
            : new PolicyDecision(
                false,
                $"{subject} is admitted for {receiver} by EventPolicy {string.Join(", ", filteredOut)}, but the event (type {cloudEvent.Type}) does not pass its filters",
                filteredOut[0]);
    }

    private CompiledPolicy[] Applying(PolicyReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);

        // The receivers are the few brokers and sinks of a deployment, so the cache stays small.
        return _applying.GetOrAdd(receiver, static (r, policies) => [.. policies.Where(p => p.AppliesTo(r))], _policies);
    }

    private PolicyDecision ByDefaultMode(PolicyReceiver receiver, string subject)
    {
        var none = $"no EventPolicy applies to {receiver}";
        switch (DefaultMode)
        {
            case AuthorizationMode.AllowAll:
                return new PolicyDecision(true, $"{none} and the default-authorization-mode allow-all admits every authenticated sender", null);
            case AuthorizationMode.DenyAll:
                return new PolicyDecision(false, $"{none} and the default-authorization-mode is deny-all", null);
            default:
                var sameNamespace = OidcIdentity.TryParseServiceAccountSubject(subject, out var ns, out _)
                    && string.Equals(ns, receiver.Namespace, StringComparison.Ordinal);
                return sameNamespace
                    ? new PolicyDecision(true, $"{none}; allow-same-namespace admits {subject}, a service account of namespace {receiver.Namespace}", null)
                    : new PolicyDecision(false, $"{none} and allow-same-namespace admits only service accounts of namespace {receiver.Namespace}; {subject} is not one", null);
        }
    }

    /// <summary>One policy with its subjects resolved and its filters compiled.</summary>
    private sealed class CompiledPolicy
    {
        private readonly EventPolicyResource _resource;
        private readonly HashSet<string> _subjects;
        private readonly string[] _prefixes;

        public CompiledPolicy(EventPolicyResource resource)
        {
            _resource = resource;
            Name = resource.Meta.Name;
            var ns = resource.Meta.Namespace;
            var subjects = resource.From.Select(f => f.Sub ?? ResolveReference(f.Ref!, ns)).ToList();

            // As Knative's SubjectContained: a whole subject matches regardless of case, a trailing '*' by prefix.
            _subjects = new HashSet<string>(subjects.Where(s => !s.EndsWith('*')), StringComparer.OrdinalIgnoreCase);
            _prefixes = [.. subjects.Where(s => s.EndsWith('*')).Select(s => s[..^1])];
            Filter = Compile(resource);
        }

        public string Name { get; }

        /// <summary>All of the policy's filters; null when it has none.</summary>
        public IEventFilter? Filter { get; }

        public bool Admits(string subject)
        {
            if (_subjects.Contains(subject))
            {
                return true;
            }

            foreach (var prefix in _prefixes)
            {
                if (subject.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        public bool AppliesTo(PolicyReceiver receiver)
        {
            if (!string.Equals(_resource.Meta.Namespace, receiver.Namespace, StringComparison.Ordinal))
            {
                return false;
            }

            return _resource.To.Count == 0 || _resource.To.Any(t => Matches(t, receiver));
        }

        private static bool Matches(EventPolicyTarget target, PolicyReceiver receiver)
        {
            if (target.Ref is { } reference)
            {
                return string.Equals(OidcIdentity.GroupOf(reference.ApiVersion), receiver.Group, StringComparison.Ordinal)
                    && string.Equals(reference.Kind, receiver.Kind, StringComparison.Ordinal)
                    && string.Equals(reference.Name, receiver.Name, StringComparison.Ordinal);
            }

            var selector = target.Selector!;
            return string.Equals(OidcIdentity.GroupOf(selector.ApiVersion), receiver.Group, StringComparison.Ordinal)
                && string.Equals(selector.Kind, receiver.Kind, StringComparison.Ordinal)
                && selector.MatchLabels.All(l => receiver.Labels.TryGetValue(l.Key, out var value) && string.Equals(value, l.Value, StringComparison.Ordinal))
                && selector.MatchExpressions.All(r => Matches(r, receiver.Labels));
        }

        private static bool Matches(LabelSelectorRequirement requirement, IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(requirement.Key, out var value);
            return requirement.Operator switch
            {
                LabelSelectorOperator.In => has && requirement.Values.Contains(value!, StringComparer.Ordinal),

                // As Kubernetes: a resource without the label is not in the set, so NotIn matches it.
                LabelSelectorOperator.NotIn => !has || !requirement.Values.Contains(value!, StringComparer.Ordinal),
                LabelSelectorOperator.Exists => has,
                _ => !has,
            };
        }

        private static string ResolveReference(KReference reference, string policyNamespace)
        {
            var ns = string.IsNullOrEmpty(reference.Namespace) ? policyNamespace : reference.Namespace;
            var group = OidcIdentity.GroupOf(reference.ApiVersion ?? string.Empty);

            // A service account sends as itself; any other resource as the service account Knative creates for it.
            return group.Length == 0 && string.Equals(reference.Kind, "ServiceAccount", StringComparison.Ordinal)
                ? OidcIdentity.Subject(ns, reference.Name)
                : OidcIdentity.SubjectFor(group, reference.Kind, ns, reference.Name);
        }

        private static IEventFilter? Compile(EventPolicyResource resource)
        {
            if (resource.Filters.Count == 0)
            {
                return null;
            }

            try
            {
                return resource.Filters.Count == 1
                    ? SubscriptionsApiFilters.Create(resource.Filters[0], "filters[0]")
                    : new AllFilter(resource.Filters.Select((item, i) => SubscriptionsApiFilters.Create(item, $"filters[{i}]")));
            }
            catch (ArgumentException exception)
            {
                throw new ArgumentException($"EventPolicy {resource.Meta.Namespace}/{resource.Meta.Name}: {exception.Message}", exception);
            }
        }
    }
}
