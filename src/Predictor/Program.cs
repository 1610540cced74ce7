using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Election;

// skylark-predictor --eventing eventing/ --topology topologies/three-nodes.yaml --redis 127.0.0.1:6379
//                   --broker-url http://127.0.0.1:8080/skylark/default [--slo slo-settings.json] [--urls http://...]
var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;
builder.Services.AddPredictor(options =>
{
    foreach (var path in (configuration["eventing"] ?? "eventing").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        options.EventingPaths.Add(path);
    }

    options.TopologyPath = configuration["topology"];
    options.Redis = configuration["redis"];
    options.RedisPassword = configuration["redis-password"];
    if ((configuration["broker-url"] ?? configuration["K_SINK"]) is { Length: > 0 } brokerUrl)
    {
        options.BrokerUrl = new Uri(brokerUrl, UriKind.Absolute);
    }

    if (configuration["slo"] is { Length: > 0 } slo)
    {
        options.Slo = SloSettings.Load(slo);
    }
});

var app = builder.Build();
app.MapPredictor();
app.MapGet("/healthz", () => Results.Ok("ok"));
await app.RunAsync();
