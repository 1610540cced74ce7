using Skylark.Events.Broker;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker;

public sealed class BrokerSettingsTests
{
    private static readonly string Eventing = RepositoryPaths.InRoot("eventing");

    private static IConfiguration Configuration(params string[] args) => new ConfigurationBuilder().AddCommandLine(args).Build();

    [Fact]
    public void The_resources_journal_folder_and_service_urls_come_from_the_settings()
    {
        var options = new BrokerOptions();

        BrokerSettings.Read(Configuration("--eventing", Eventing, "--journal", "/var/lib/skylark/journal", "--services", "preprocess=http://10.0.0.7:8080/"))(options);

        Assert.NotEmpty(options.Model.Triggers);
        Assert.Equal("/var/lib/skylark/journal", options.Journal?.Directory);
        Assert.Equal(new Uri("http://10.0.0.7:8080/"), options.Services["preprocess"]);
    }

    [Fact]
    public void Without_a_journal_the_broker_keeps_events_in_memory_only()
    {
        var options = new BrokerOptions();

        BrokerSettings.Read(Configuration("--eventing", Eventing))(options);

        Assert.Null(options.Journal);
    }

    [Fact]
    public void Journal_repair_is_off_unless_asked_for()
    {
        var (off, on) = (new BrokerOptions(), new BrokerOptions());

        BrokerSettings.Read(Configuration("--eventing", Eventing, "--journal", "/var/lib/skylark/journal"))(off);
        BrokerSettings.Read(Configuration("--eventing", Eventing, "--journal", "/var/lib/skylark/journal", "--journal-repair", "true"))(on);

        Assert.Equal((false, true), (off.Journal!.Repair, on.Journal!.Repair));
    }

    [Theory]
    [InlineData("--journal-repair", "yes", "--journal-repair (SKYLARK_JOURNAL_REPAIR) must be true or false; got 'yes'.")]
    [InlineData("--journal-repair", "true", "--journal-repair (SKYLARK_JOURNAL_REPAIR) needs --journal (SKYLARK_JOURNAL): there is no journal to repair.")]
    public void Journal_repair_must_be_a_boolean_and_needs_a_journal(string flag, string value, string message)
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => BrokerSettings.Read(Configuration("--eventing", Eventing, flag, value)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Without_resources_the_broker_does_not_start()
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => BrokerSettings.Read(Configuration("--journal", "/tmp/j")));

        Assert.Equal("--eventing (SKYLARK_EVENTING) is required: the Broker, Trigger and PingSource YAML to serve.", error.Message);
    }

    [Fact]
    public void Resources_that_do_not_validate_are_a_problem_of_the_eventing_setting_on_one_line()
    {
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("bad.yaml"), "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec: {}\n");

        var error = Assert.Throws<ServiceConfigurationException>(() => BrokerSettings.Read(Configuration("--eventing", scratch.File("bad.yaml"))));

        Assert.StartsWith("--eventing (SKYLARK_EVENTING) names resources that do not load: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
