using Microsoft.Extensions.Logging;

namespace Skylark.Events.Topology;

internal static partial class KubernetesTopologyLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Loaded topology {Topology} from the Kubernetes API at {ApiServer}: {Nodes} node(s), {Links} link(s), {Sinks} StateSink endpoint(s)")]
    public static partial void Loaded(ILogger logger, string topology, Uri apiServer, int nodes, int links, int sinks);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Kubernetes topology: {Warning}")]
    public static partial void Warning(ILogger logger, string warning);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "StateSink pod {Pod} skipped: {Reason}")]
    public static partial void SinkSkipped(ILogger logger, string pod, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Could not load the topology from the Kubernetes API at {ApiServer}: {Error}")]
    public static partial void Failed(ILogger logger, Uri apiServer, string error);
}
