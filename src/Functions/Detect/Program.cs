using Skylark.Events.Functions.Detect;
using Skylark.Events.Hosting;
using Skylark.Events.State;

// Settings: docs/configuration.md (e.g. SKYLARK_NODE, SKYLARK_REDIS, SKYLARK_REDIS_PASSWORD, PORT).
return await SkylarkService.RunAsync(
    "detect",
    args,
    builder => builder.Services.AddSkylarkState(builder.Configuration).AddDetectFunction(),
    app => app.MapDetectFunction());
