using Skylark.Events.Broker;

namespace Skylark.Events.Tests.Broker;

public class EventingArgumentsTests
{
    [Fact]
    public void Every_eventing_path_is_collected_and_the_rest_goes_to_the_host()
    {
        var parsed = EventingArguments.Parse(["--eventing", "eventing/", "--urls", "http://127.0.0.1:8080", "--eventing=extra.yaml"]);

        Assert.Equal(["eventing/", "extra.yaml"], parsed.EventingPaths);
        Assert.Equal(["--urls", "http://127.0.0.1:8080"], parsed.HostArguments);
    }

    [Fact]
    public void Eventing_without_a_value_is_refused()
    {
        Assert.Contains("needs a file", Assert.Throws<ArgumentException>(() => EventingArguments.Parse(["--eventing", "--urls", "x"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void At_least_one_eventing_path_is_required()
    {
        Assert.Contains("usage", Assert.Throws<ArgumentException>(() => EventingArguments.Parse(["--urls", "x"])).Message, StringComparison.Ordinal);
    }
}
