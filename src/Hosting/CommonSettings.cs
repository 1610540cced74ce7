namespace Skylark.Events.Hosting;

/// <summary>The settings more than one service reads; a service's own settings live beside its options.</summary>
public static class CommonSettings
{
    public static readonly Setting Node = new("node", "The topology node this instance runs on (as a pod's node name); names its Redis and its place in the topology.");

    public static readonly Setting Redis = new("redis", "The node-local Redis as host:port (StackExchange.Redis configuration string).");

    public static readonly Setting RedisPassword = new("redis-password", "The Redis password.", secret: true);

    public static readonly Setting RedisUser = new("redis-user", "The Redis ACL user the password belongs to (default: Redis' default user).");

    public static readonly Setting RedisPasswordFile = new("redis-password-file", "A file holding the Redis password (a mounted Secret); instead of SKYLARK_REDIS_PASSWORD.");

    public static readonly Setting KeyPrefix = new("key-prefix", "Prefix of every Redis key this service writes (default skylark).");

    public static readonly Setting Topology = new("topology", "The topology file (YAML): nodes, links and snapshots.");

    public static readonly Setting TopologyEpoch = new("topology-epoch", "When the topology file's first snapshot began, as an ISO 8601 time with its offset (2026-12-05T10:00:00Z), so that every service reading the file agrees which snapshot is current; default: when the service started.");

    public static readonly Setting TopologySource = new("topology-source", "Where nodes, links (and a sink's peers) come from: file (the --topology file; the default) or kubernetes (the Kubernetes API: node labels and annotations, StateSink pods).");

    public static readonly Setting Kubeconfig = new("kubeconfig", "With --topology-source kubernetes outside a cluster: the kubeconfig file naming the API server and credentials. In a pod the pod's service account is used.");

    public static readonly Setting TopologyRefresh = new("topology-refresh", "With --topology-source kubernetes: how often the topology is read again from the API (default 30s).");

    public static readonly Setting Eventing = new("eventing", "Knative resources (Broker, Trigger, PingSource, EventPolicy YAML): files or folders, comma-separated.");

    public static readonly Setting Sink = new("sink", "Where this service sends the events it produces: the broker's ingress URL. Knative's SinkBinding sets it.", environment: "K_SINK");

    public static readonly Setting Mqtt = new("mqtt", "The MQTT broker as mqtt://[user@]host[:port] (mqtts:// for TLS): where cameras publish their frames and alarms are published. Never with a password in it.");

    public static readonly Setting MqttPassword = new("mqtt-password", "The password of the MQTT user named in --mqtt.", secret: true);

    public static readonly Setting MqttPasswordFile = new("mqtt-password-file", "A file holding the MQTT password (a mounted Secret); instead of SKYLARK_MQTT_PASSWORD.");

    public static readonly Setting Port = new("port", "The port to listen on, on every interface, when --urls is not given. Knative Serving sets it.", environment: "PORT");

    public static readonly Setting OtlpEndpoint = new("otlp-endpoint", "Where spans go: an OTLP collector's base URL (http://collector:4318), as OTEL_EXPORTER_OTLP_ENDPOINT, which is read too; OTEL_EXPORTER_OTLP_PROTOCOL picks the protocol. Without either no span is recorded.");

    public static readonly Setting ShutdownGrace = new("shutdown-grace", "How long SIGTERM waits for in-flight work before the process ends (default 25s, inside Kubernetes' 30 s).");

    /// <summary>The default <see cref="ShutdownGrace"/>: inside Kubernetes' default termination grace period of 30 s.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(25);
}
