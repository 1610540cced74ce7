using Skylark.Events.CameraIngest;
using Skylark.Events.Hosting;

// Settings: docs/configuration.md (e.g. K_SINK, K_CE_OVERRIDES, SKYLARK_MQTT, SKYLARK_NODE, SKYLARK_REDIS).
return await SkylarkService.RunAsync(
    "camera-ingest",
    args,
    builder => builder.Services.AddCameraIngest(builder.Configuration),
    app => app.MapCameraIngest());
