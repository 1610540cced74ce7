using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Eventing.Policies;

/// <summary>
/// The OIDC identities Knative Eventing computes: the subject of a Kubernetes service account, the service account
/// Knative creates for a resource that sends events (a Trigger, a source), and the audience a receiver's tokens carry.
/// </summary>
public static class OidcIdentity
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary><c>system:serviceaccount:&lt;namespace&gt;:&lt;serviceAccount&gt;</c>, the subject of a service account token.</summary>
    public static string Subject(string @namespace, string serviceAccount)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);
        return ServiceAccountPrefix + @namespace + ":" + serviceAccount;
    }

    /// <summary>
    /// The service account Knative gives a resource to send with:
    /// <c>kmeta.ChildName(name, "-oidc-" + group + "-" + kind)</c>, lowercased afterwards (so a long name's hash is
    /// taken over the kind as written, e.g. <c>Trigger</c>). Trigger <c>detect</c> →
    /// <c>detect-oidc-eventing.knative.dev-trigger</c>.
    /// </summary>
    /// <param name="group">The API group (<c>eventing.knative.dev</c>, <c>sources.knative.dev</c>).</param>
    /// <param name="kind">The kind as Kubernetes spells it (<c>Trigger</c>, <c>PingSource</c>).</param>
    /// <param name="name">The resource's name.</param>
    public static string ServiceAccountFor(string group, string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return KnativeNames.ChildName(name, "-oidc-" + group + "-" + kind).ToLowerInvariant();
    }

    /// <summary>The subject of the service account <see cref="ServiceAccountFor"/> names, in <paramref name="namespace"/>.</summary>
    public static string SubjectFor(string group, string kind, string @namespace, string name) =>
        Subject(@namespace, ServiceAccountFor(group, kind, name));

    /// <summary>
    /// The audience Knative puts in the tokens for a receiver: <c>&lt;group&gt;/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;</c>,
    /// lowercased (<c>eventing.knative.dev/broker/skylark/default</c>).
    /// </summary>
    public static string Audience(string group, string kind, string @namespace, string name)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"{group}/{kind}/{@namespace}/{name}".ToLowerInvariant();
    }

    /// <summary>Splits a service account subject into its namespace and name; false for any other subject.</summary>
    public static bool TryParseServiceAccountSubject(string? subject, out string @namespace, out string name)
    {
        @namespace = string.Empty;
        name = string.Empty;
        if (subject is null || !subject.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = subject.AsSpan(ServiceAccountPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1 || rest[(colon + 1)..].Contains(':'))
        {
            return false;
        }

        @namespace = rest[..colon].ToString();
        name = rest[(colon + 1)..].ToString();
        return true;
    }

    /// <summary>The API group of an apiVersion: <c>eventing.knative.dev/v1</c> → <c>eventing.knative.dev</c>, <c>v1</c> → the core group "".</summary>
    public static string GroupOf(string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : apiVersion[..slash];
    }
}
