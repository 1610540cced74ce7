using Skylark.Events.State;
using Skylark.Events.StateSink;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddEnvironmentVariables(StateSinkSettings.EnvironmentPrefix);

// The command line wins over the environment, as everywhere else in ASP.NET Core.
builder.Configuration.AddCommandLine(args);
StateSinkSettings settings;
try
{
    settings = StateSinkSettings.From(builder.Configuration);
}
catch (ArgumentException error)
{
    await Console.Error.WriteLineAsync(error.Message);
    return 2;
}

builder.Services.AddSkylarkState(settings.Configure);
builder.Services.AddStateSink(settings.Configure);
var app = builder.Build();
app.MapStateSink();
await app.RunAsync();
return 0;
