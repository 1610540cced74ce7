using Skylark.Events.Hosting;
using Skylark.Events.StateSink;

// Settings: docs/configuration.md (e.g. SKYLARK_NODE, SKYLARK_REDIS, SKYLARK_TOPOLOGY, SKYLARK_PEER_TOKEN).
return await SkylarkService.RunAsync(
    "statesink",
    args,
    builder => builder.Services.AddStateSink(builder.Configuration),
    app => app.MapStateSink());
