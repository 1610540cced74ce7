using Skylark.Events.Functions.Alarm;
using Skylark.Events.State.Functions;

// dotnet run -- --node edge-1 --redis 127.0.0.1:6379 --redis-password secret --urls http://127.0.0.1:8083
var builder = FunctionHost.CreateBuilder(args);
builder.Services.AddAlarmFunction();
var app = builder.Build();
app.MapAlarmFunction();
await app.RunAsync();
