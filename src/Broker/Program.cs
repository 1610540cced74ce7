using Skylark.Events.Broker;
using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Broker.Sources;
using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;

EventingArguments arguments;
try
{
    arguments = EventingArguments.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

var builder = WebApplication.CreateBuilder(arguments.HostArguments);
EventingModel model;
try
{
    using var loggerFactory = LoggerFactory.Create(logging => logging.AddConsole());
    model = ResourceLoader.Load(arguments.EventingPaths, loggerFactory.CreateLogger("Skylark.Events.Eventing.Resources"));
}
catch (ResourceValidationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

// Services named by a ref resolve through configuration, e.g. `--Broker:Services:preprocess http://127.0.0.1:5001/`;
// unnamed ones resolve to Knative's cluster-local form.
var services = builder.Configuration.GetSection("Broker:Services").GetChildren()
    .Where(s => Uri.IsWellFormedUriString(s.Value, UriKind.Absolute))
    .ToDictionary(s => s.Key, s => new Uri(s.Value!), StringComparer.Ordinal);
builder.Services.AddBroker(options =>
{
    options.Model = model;
    if (arguments.JournalDirectory is { } journal)
    {
        options.Journal = new JournalOptions { Directory = journal };
    }

    foreach (var (name, url) in services)
    {
        options.Services[name] = url;
    }
});

// The PingSources in the same YAML run here too, as Knative's mtping adapter runs them beside the broker.
builder.Services.AddSingleton(model);
var sinks = new DestinationResolver(services);
builder.Services.AddPingSources(sink => sinks.Resolve(sink, sink.Ref?.Namespace ?? SkylarkDefaults.Namespace));
var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapBroker();
await app.RunAsync();
return 0;
