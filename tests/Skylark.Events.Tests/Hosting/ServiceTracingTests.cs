using Skylark.Events.Hosting;

namespace Skylark.Events.Tests.Hosting;

public sealed class ServiceTracingTests
{
    [Fact]
    public void Without_an_endpoint_no_exporter_is_added()
    {
        if (Environment.GetEnvironmentVariable(ServiceTracing.OtlpEndpointVariable) is { Length: > 0 })
        {
            // The machine running the tests points at a collector: this case cannot be had here.
            return;
        }

        var services = new ServiceCollection();

        Assert.False(services.AddServiceTracing("broker", new ConfigurationBuilder().Build()));
        Assert.Empty(services);
    }

    [Fact]
    public void The_otlp_endpoint_setting_adds_the_exporter_as_opentelemetrys_own_variable_would()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["otlp-endpoint"] = "http://collector:4318" }).Build();

        Assert.True(new ServiceCollection().AddServiceTracing("broker", configuration));
        Assert.Equal("http://collector:4318/", configuration[ServiceTracing.OtlpEndpointVariable]);
    }

    [Fact]
    public void A_malformed_endpoint_is_a_configuration_problem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["otlp-endpoint"] = "not a url" }).Build();

        var problem = Assert.Throws<ServiceConfigurationException>(() => new ServiceCollection().AddServiceTracing("broker", configuration));
        Assert.Contains(problem.Problems, p => p.Setting == CommonSettings.OtlpEndpoint);
    }
}
