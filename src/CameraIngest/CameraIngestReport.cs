namespace Skylark.Events.CameraIngest;

/// <summary>What <c>GET /status</c> of the camera ingest serves: where it reads and writes, and what it has done.</summary>
/// <param name="Node">The node whose Redis keeps the frames (<c>statenode</c> of every frame event).</param>
/// <param name="Broker">The MQTT broker, without a password.</param>
/// <param name="Subscribed">Connected to the broker and holding the subscriptions now.</param>
/// <param name="Sink">Where events go; null before the bridge started.</param>
/// <param name="Topics">The topics subscribed to: raw frames, then camera CloudEvents.</param>
/// <param name="Metrics">What the bridge has done with the messages it received.</param>
public sealed record CameraIngestReport(
    string Node,
    Uri Broker,
    bool Subscribed,
    Uri? Sink,
    IReadOnlyList<string> Topics,
    CameraIngestMetricsSnapshot Metrics);
