using Skylark.Events.Predictor;
using Skylark.Events.Predictor.Election;

// skylark-predictor --eventing eventing/ --topology topologies/three-nodes.yaml --redis 127.0.0.1:6379
//                   --broker-url http://127.0.0.1:8080/skylark/default [--slo slo-settings.json] [--urls http://...]
//                   [--policy predictive|databelt] [--databelt-destination <node>] [--databelt-fuse true|false]
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

    if (configuration["policy"] is { Length: > 0 } policy)
    {
        options.Policy = Enum.TryParse<PredictorPolicy>(policy, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ArgumentException($"--policy '{policy}' is not one of: predictive, databelt.");
    }

    options.Databelt.Destination = configuration["databelt-destination"] is { Length: > 0 } destination ? destination : null;
    if (configuration["databelt-fuse"] is { Length: > 0 } fuse)
    {
        options.Databelt.Fuse = bool.TryParse(fuse, out var value) ? value : throw new ArgumentException($"--databelt-fuse '{fuse}' is not true or false.");
    }
});

var app = builder.Build();
app.MapPredictor();
app.MapGet("/healthz", () => Results.Ok("ok"));
await app.RunAsync();
