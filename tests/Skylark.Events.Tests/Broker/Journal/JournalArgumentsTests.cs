using Skylark.Events.Broker;

namespace Skylark.Events.Tests.Broker.Journal;

public sealed class JournalArgumentsTests
{
    [Theory]
    [InlineData("--journal", "/var/lib/skylark/journal")]
    [InlineData("--journal=/var/lib/skylark/journal", null)]
    public void The_journal_folder_is_taken_from_the_command_line_and_not_passed_to_the_host(string option, string? value)
    {
        string[] args = value is null
            ? ["--eventing", "eventing/", option, "--urls", "http://127.0.0.1:8080"]
            : ["--eventing", "eventing/", option, value, "--urls", "http://127.0.0.1:8080"];

        var parsed = EventingArguments.Parse(args);

        Assert.Equal("/var/lib/skylark/journal", parsed.JournalDirectory);
        Assert.Equal(["--urls", "http://127.0.0.1:8080"], parsed.HostArguments);
    }

    [Fact]
    public void Without_journal_the_broker_keeps_events_in_memory_only() =>
        Assert.Null(EventingArguments.Parse(["--eventing", "eventing/"]).JournalDirectory);

    [Theory]
    [InlineData("--journal")]
    [InlineData("--journal", "--urls", "x")]
    [InlineData("--journal=")]
    public void Journal_without_a_folder_is_refused(params string[] journal) =>
        Assert.Contains("--journal needs a folder", Assert.Throws<ArgumentException>(() => EventingArguments.Parse(["--eventing", "e/", .. journal])).Message, StringComparison.Ordinal);

    [Fact]
    public void Journal_twice_is_refused() =>
        Assert.Contains("once", Assert.Throws<ArgumentException>(() => EventingArguments.Parse(["--eventing", "e/", "--journal", "a", "--journal", "b"])).Message, StringComparison.Ordinal);
}
