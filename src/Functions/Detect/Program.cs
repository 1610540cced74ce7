using Skylark.Events.Functions.Detect;
using Skylark.Events.State.Functions;

// dotnet run -- --node edge-1 --redis 127.0.0.1:6379 --redis-password secret --urls http://127.0.0.1:8082
var builder = FunctionHost.CreateBuilder(args);
builder.Services.AddDetectFunction();
var app = builder.Build();
app.MapDetectFunction();
await app.RunAsync();
