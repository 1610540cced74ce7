using Microsoft.Extensions.Logging;

namespace Skylark.Events.Eventing.Resources;

internal static partial class ResourceLoaderLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping {Kind} ({ApiVersion}) in {File} document {Document}: not a kind the broker runs")]
    public static partial void SkippedUnknownKind(ILogger logger, string kind, string apiVersion, string file, int document);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {Namespace}/{Trigger} names broker {Broker}, which none of the loaded files define")]
    public static partial void TriggerWithoutBroker(ILogger logger, string @namespace, string trigger, string broker);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Brokers} broker(s), {Triggers} trigger(s), {PingSources} ping source(s) and {EventPolicies} event policy(ies) from {Files} file(s)")]
    public static partial void Loaded(ILogger logger, int brokers, int triggers, int pingSources, int eventPolicies, int files);

    [LoggerMessage(Level = LogLevel.Error, Message = "Knative resources failed validation with {Count} error(s)")]
    public static partial void Invalid(ILogger logger, int count);
}
