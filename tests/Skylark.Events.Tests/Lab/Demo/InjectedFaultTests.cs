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
        Assert.Equal(InjectedFault.Kill(instance, TimeSpan.FromSeconds(seconds)), InjectedFault.ParseKill(text));

    [Theory]
    [InlineData("redis-edge")]
    [InlineData("@10s")]
    [InlineData("broker@")]
    [InlineData("broker@soon")]
    public void Anything_else_says_what_shape_is_expected(string text)
    {
        var error = Assert.Throws<FormatException>(() => InjectedFault.ParseKill(text));

        Assert.Equal($"--kill '{text}' is not <instance>@<time>, e.g. redis-edge@10s or detect-sat@1m.", error.Message);
    }

    [Theory]
    [InlineData("sat@10s+20s", "sat", 10, 20)]
    [InlineData("edge-1@1m+1m30s", "edge-1", 60, 90)]
    public void A_cut_names_the_node_when_and_for_how_long(string text, string node, double at, double seconds) =>
        Assert.Equal(InjectedFault.Cut(node, TimeSpan.FromSeconds(at), TimeSpan.FromSeconds(seconds)), InjectedFault.ParseCut(text));

    [Theory]
    [InlineData("sat@10s")]
    [InlineData("sat+20s")]
    [InlineData("sat@10s+0s")]
    [InlineData("@10s+20s")]
    public void A_cut_of_another_shape_says_what_is_expected(string text)
    {
        var error = Assert.Throws<FormatException>(() => InjectedFault.ParseCut(text));

        Assert.Equal($"--cut '{text}' is not <node>@<time>+<duration>, e.g. sat@10s+20s.", error.Message);
    }

    [Fact]
    public void Kills_need_processes_and_every_fault_a_time_within_the_run()
    {
        var options = new DemoOptions
        {
            TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
            EventingPath = RepositoryPaths.InRoot("eventing"),
            WorkDirectory = "unused",
            Duration = TimeSpan.FromSeconds(20),
            Faults = [InjectedFault.Kill("redis-edge", TimeSpan.FromSeconds(5))],
        };

        var inProcess = Assert.Throws<ArgumentException>(options.Validate);
        var late = Assert.Throws<ArgumentException>((options with { Processes = true, Faults = [InjectedFault.Kill("broker", TimeSpan.FromSeconds(20))] }).Validate);
        var lateCut = Assert.Throws<ArgumentException>((options with { Faults = [InjectedFault.Cut("sat", TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(5))] }).Validate);

        Assert.Equal("--kill redis-edge@5s needs --processes: only then is each service instance a process of its own.", inProcess.Message);
        Assert.Equal("--kill broker@20s is not within the 20 s the cameras run.", late.Message);
        Assert.Equal("--cut sat@25s+5s is not within the 20 s the cameras run.", lateCut.Message);
        (options with { Processes = true }).Validate();
        (options with { Faults = [InjectedFault.Cut("sat", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30))] }).Validate();
    }
}
