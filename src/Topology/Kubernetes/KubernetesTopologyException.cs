using System.Net;

namespace Skylark.Events.Topology;

/// <summary>
/// The Kubernetes API could not be asked (unreachable, refused, timed out) or did not answer with a list.
/// Problems in what the cluster declares are <see cref="TopologyValidationException"/>s instead.
/// </summary>
public sealed class KubernetesTopologyException : Exception
{
    public KubernetesTopologyException()
        : this("the Kubernetes API could not be read.")
    {
    }

    public KubernetesTopologyException(string message)
        : base(message)
    {
    }

    public KubernetesTopologyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesTopologyException(string message, HttpStatusCode? statusCode, Exception? innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The API server's status code when it answered with an error; null when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }
}
