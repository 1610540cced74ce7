using Skylark.Events.Functions.Preprocess;
using Skylark.Events.Hosting;
using Skylark.Events.State;

// Settings: docs/configuration.md (e.g. SKYLARK_NODE, SKYLARK_REDIS, SKYLARK_REDIS_PASSWORD, PORT).
return await SkylarkService.RunAsync(
    "preprocess",
    args,
    builder => builder.Services.AddSkylarkState(builder.Configuration).AddPreprocessFunction(),
    app => app.MapPreprocessFunction());
