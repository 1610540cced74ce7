using Skylark.Events.Functions.Alarm;
using Skylark.Events.Hosting;

// Settings: docs/configuration.md (e.g. SKYLARK_NODE, SKYLARK_REDIS, SKYLARK_REDIS_PASSWORD, SKYLARK_MQTT, PORT).
return await SkylarkService.RunAsync(
    "alarm",
    args,
    builder => builder.Services.AddAlarmFunction(builder.Configuration),
    app => app.MapAlarmFunction());
