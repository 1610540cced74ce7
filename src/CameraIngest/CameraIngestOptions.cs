using Skylark.Events.Bindings.Mqtt;
using Skylark.Events.CameraIngest.Mqtt;
using Skylark.Events.CameraIngest.Sink;

namespace Skylark.Events.CameraIngest;

/// <summary>Configuration of the <see cref="CameraIngestBridge"/>. The node is the one of the <c>BundleStore</c> frames are written to.</summary>
public sealed class CameraIngestOptions
{
    /// <summary>The function the bridge writes bundles as: it owns <c>ingest</c> and <c>ingest.*</c>.</summary>
    public const string Function = "ingest";

    /// <summary>The MQTT broker to subscribe to (required).</summary>
    public MqttConnection? Broker { get; set; }

    /// <summary>Where events go when <c>K_SINK</c> is not set (e.g. the broker ingress <c>http://127.0.0.1:8080/skylark/default</c>).</summary>
    public Uri? SinkUrl { get; set; }

    /// <summary>The bridge's identity token (file), sent as a bearer token with every event to the sink; null sends none.</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// Environment the SinkBinding variables (<c>K_SINK</c>, <c>K_CE_OVERRIDES</c>) are read from; null reads the process
    /// environment. A seam so tests and embedding hosts need not mutate process-wide state.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; set; }

    /// <summary>
    /// The sink and its extension overrides, already resolved (the standalone service reads <c>K_SINK</c> and
    /// <c>K_CE_OVERRIDES</c> as settings, so a bad value stops the start); when set, <see cref="SinkUrl"/> and
    /// <see cref="Environment"/> are not read.
    /// </summary>
    public SinkBinding? Binding { get; set; }

    /// <summary>Raw JPEG frames; the '+' level is the camera id.</summary>
    public string FramesTopic { get; set; } = CameraTopics.FramesFilter;

    /// <summary>CloudEvents (binary or structured mode); the '+' level is the camera id.</summary>
    public string EventsTopic { get; set; } = CameraTopics.EventsFilter;

    /// <summary>Messages the bridge cannot turn into events go to <c>{DeadLetterTopicPrefix}/{camera}</c>, with the reason.</summary>
    public string DeadLetterTopicPrefix { get; set; } = CameraTopics.DeadLetterPrefix;

    /// <summary>MQTT client id; null uses <c>skylark-ingest-{node}</c>. Two bridges with the same id would take turns kicking each other off.</summary>
    public string? ClientId { get; set; }

    /// <summary>How long the broker keeps the bridge's session (and QoS 1 messages not yet acknowledged) across reconnects.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest frame (payload bytes) accepted; larger ones are dead-lettered without their payload.</summary>
    public int MaxFrameBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Messages received but not yet processed. With <see cref="MaxConcurrency"/> it is the MQTT receive maximum: the broker sends no more until some are acknowledged.</summary>
    public int QueueCapacity { get; set; } = 32;

    /// <summary>Messages processed (stored and sent) at once.</summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>
    /// Attempts to deliver one event to the sink in one round (408, 429, 5xx and network errors are retried with
    /// <see cref="SinkBackoff"/>). When a round fails the message is held, not dead-lettered, and tried again after
    /// <see cref="MaxRetryDelay"/> at most.
    /// </summary>
    public int SinkAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry; doubles with each further one.</summary>
    public TimeSpan SinkBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one delivery attempt may take.</summary>
    public TimeSpan SinkTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TTL of stored frame bundles; null uses the store's default.</summary>
    public TimeSpan? FrameTimeToLive { get; set; }

    /// <summary>
    /// The dead-letters service to store dead letters durably (a CloudEvent POST in binary mode with Knative's error
    /// extensions); null publishes them on MQTT only. When set, a message the bridge rejects is acknowledged only once
    /// this sink answered 2xx.
    /// </summary>
    public Uri? DeadLetterSinkUrl { get; set; }

    /// <summary>
    /// Longest wait between two attempts at a message held because the node's Redis, the sink or the dead-letter sink
    /// is down; the wait starts at <see cref="SinkBackoff"/> (10 ms at least) and doubles up to this.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before reconnecting to the broker; doubles up to 30 s while it stays down.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <exception cref="ArgumentException">With a message naming the first invalid setting.</exception>
    public void Validate()
    {
        if (Broker is null)
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(Broker)} is required: the MQTT broker the cameras publish to.");
        }

        CameraTopics.EnsureCameraFilter(FramesTopic, $"{nameof(CameraIngestOptions)}.{nameof(FramesTopic)}");
        CameraTopics.EnsureCameraFilter(EventsTopic, $"{nameof(CameraIngestOptions)}.{nameof(EventsTopic)}");
        if (string.Equals(FramesTopic, EventsTopic, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(FramesTopic)} and {nameof(EventsTopic)} are both '{FramesTopic}'; a message must be either a raw frame or a CloudEvent.");
        }

        if (string.IsNullOrEmpty(DeadLetterTopicPrefix) || DeadLetterTopicPrefix.IndexOfAny(['+', '#', '\0']) >= 0 || DeadLetterTopicPrefix.EndsWith('/'))
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(DeadLetterTopicPrefix)} '{DeadLetterTopicPrefix}' must be a topic without wildcards or a trailing '/'.");
        }

        if (ClientId is { Length: 0 })
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(ClientId)} is empty; leave it null for the default.");
        }

        if (SinkUrl is not null && (!SinkUrl.IsAbsoluteUri || (SinkUrl.Scheme != Uri.UriSchemeHttp && SinkUrl.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(SinkUrl)} '{SinkUrl}' must be an absolute http:// or https:// URL.");
        }

        if (DeadLetterSinkUrl is not null && (!DeadLetterSinkUrl.IsAbsoluteUri || (DeadLetterSinkUrl.Scheme != Uri.UriSchemeHttp && DeadLetterSinkUrl.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(DeadLetterSinkUrl)} '{DeadLetterSinkUrl}' must be an absolute http:// or https:// URL.");
        }

        RequirePositive(MaxRetryDelay, nameof(MaxRetryDelay));
        RequirePositive(MaxFrameBytes, nameof(MaxFrameBytes));
        RequirePositive(QueueCapacity, nameof(QueueCapacity));
        RequirePositive(MaxConcurrency, nameof(MaxConcurrency));
        RequirePositive(SinkAttempts, nameof(SinkAttempts));
        if (QueueCapacity + MaxConcurrency > ushort.MaxValue)
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{nameof(QueueCapacity)} + {nameof(MaxConcurrency)} must fit an MQTT receive maximum (65535).");
        }

        RequireNonNegative(SinkBackoff, nameof(SinkBackoff));
        RequirePositive(SinkTimeout, nameof(SinkTimeout));
        RequirePositive(ReconnectDelay, nameof(ReconnectDelay));
        RequireNonNegative(SessionExpiry, nameof(SessionExpiry));
        if (FrameTimeToLive is { } ttl)
        {
            RequirePositive(ttl, nameof(FrameTimeToLive));
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{name} must be positive; got {value}.");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{name} must be positive; got {value}.");
        }
    }

    private static void RequireNonNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(CameraIngestOptions)}.{name} must not be negative; got {value}.");
        }
    }
}
