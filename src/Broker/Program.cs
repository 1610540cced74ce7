using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Broker.Resources;

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
    model = ResourceLoader.Load(arguments.EventingPaths, loggerFactory.CreateLogger("Skylark.Events.Broker.Resources"));
}
catch (ResourceValidationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}

builder.Services.AddBroker(options =>
{
    options.Model = model;
    if (arguments.JournalDirectory is { } journal)
    {
        options.Journal = new JournalOptions { Directory = journal };
    }
});
var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapBroker();
await app.RunAsync();
return 0;
