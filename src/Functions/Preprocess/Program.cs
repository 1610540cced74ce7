using Skylark.Events.Functions.Preprocess;
using Skylark.Events.State.Functions;

// dotnet run -- --node edge-1 --redis 127.0.0.1:6379 --redis-password secret --urls http://127.0.0.1:8081
var builder = FunctionHost.CreateBuilder(args);
builder.Services.AddPreprocessFunction();
var app = builder.Build();
app.MapPreprocessFunction();
await app.RunAsync();
