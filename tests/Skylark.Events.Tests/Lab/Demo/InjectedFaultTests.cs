using Skylark.Events.Lab.Demo;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Demo;

public sealed class InjectedFaultTests
{
    [Theory]
    [InlineData("redis-edge@10s", "redis-edge", 10)]
    [InlineData("detect-sat@1m30s", "detect-sat", 90)]
    [InlineData("broker@5", "broker", 5)]
    public void A_fault_names_the_process_and_when_to_kill_it(string text, string instance, double seconds) =>
        Assert.Equal(new InjectedFault(instance, TimeSpan.FromSeconds(seconds)), InjectedFault.Parse(text));

    [Theory]
    [InlineData("redis-edge")]
    [InlineData("@10s")]
    [InlineData("broker@")]
    [InlineData("broker@soon")]
    public void Anything_else_says_what_shape_is_expected(string text)
    {
        var error = Assert.Throws<FormatException>(() => InjectedFault.Parse(text));

        Assert.Equal($"--kill '{text}' is not <instance>@<time>, e.g. redis-edge@10s or detect-sat@1m.", error.Message);
    }

    [Fact]
    public void Faults_need_processes_and_a_time_within_the_run()
    {
        var options = new DemoOptions
        {
            TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
            EventingPath = RepositoryPaths.InRoot("eventing"),
            WorkDirectory = "unused",
            Duration = TimeSpan.FromSeconds(20),
            Faults = [new InjectedFault("redis-edge", TimeSpan.FromSeconds(5))],
        };

        var inProcess = Assert.Throws<ArgumentException>(options.Validate);
        var late = Assert.Throws<ArgumentException>((options with { Processes = true, Faults = [new InjectedFault("broker", TimeSpan.FromSeconds(20))] }).Validate);

        Assert.Equal("--kill needs --processes: only then is each service instance a process of its own.", inProcess.Message);
        Assert.Equal("--kill broker@20s is not within the 20 s the cameras run.", late.Message);
        (options with { Processes = true }).Validate();
    }
}
