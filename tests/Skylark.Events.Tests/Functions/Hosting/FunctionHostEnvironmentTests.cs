using Microsoft.Extensions.Options;
using Skylark.Events.State;
using Skylark.Events.Hosting;

namespace Skylark.Events.Tests.Functions.Hosting;

[Collection(ProcessEnvironmentCollection.Name)]
public sealed class FunctionHostEnvironmentTests
{
    [Fact]
    public async Task Environment_variables_with_the_skylark_prefix_configure_the_node_unless_the_command_line_says_otherwise()
    {
        Environment.SetEnvironmentVariable("SKYLARK_NODE", "from-env");
        Environment.SetEnvironmentVariable("SKYLARK_REDIS", "10.9.9.9:1");
        try
        {
            var builder = SkylarkService.CreateBuilder("detect", ["--redis", "10.0.0.1:7000"]);
            builder.Services.AddSkylarkState(builder.Configuration);
            await using var app = builder.Build();

            var options = app.Services.GetRequiredService<IOptions<StateOptions>>().Value;

            Assert.Equal(("from-env", "10.0.0.1:7000"), (options.Node, options.Configuration));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SKYLARK_NODE", null);
            Environment.SetEnvironmentVariable("SKYLARK_REDIS", null);
        }
    }
}
