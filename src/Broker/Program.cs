using Skylark.Events.Broker;
using Skylark.Events.Hosting;

// Settings: docs/configuration.md (e.g. SKYLARK_EVENTING, SKYLARK_JOURNAL, SKYLARK_SERVICES, PORT).
return await SkylarkService.RunAsync(
    "broker",
    args,
    builder => builder.Services.AddBroker(builder.Configuration),
    app => app.MapBroker());
