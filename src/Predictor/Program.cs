using Skylark.Events.Hosting;
using Skylark.Events.Predictor;

// Settings: docs/configuration.md (e.g. SKYLARK_EVENTING, SKYLARK_TOPOLOGY, SKYLARK_REDIS, K_SINK, SKYLARK_POLICY).
return await SkylarkService.RunAsync(
    "predictor",
    args,
    builder => builder.Services.AddPredictor(builder.Configuration),
    app => app.MapPredictor());
