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

    [Fact]
    public void Sender_identity_policies_and_the_token_issuer_come_from_the_settings()
    {
        var options = new BrokerOptions();
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("jwks.json"), "{\"keys\":[]}");

        BrokerSettings.Read(Configuration(
            "--eventing", Eventing,
            "--oidc-keys", scratch.File("jwks.json"),
            "--authorization-mode", "deny-all",
            "--token-file", "/var/run/secrets/tokens/broker",
            "--token-issuer", "http://127.0.0.1:7300/"))(options);

        Assert.Equal(scratch.File("jwks.json"), options.Verification.KeySetFile);
        Assert.True(options.Verification.Enabled);
        Assert.Equal(Skylark.Events.Eventing.Policies.AuthorizationMode.DenyAll, options.DefaultAuthorization);
        Assert.Equal(("/var/run/secrets/tokens/broker", new Uri("http://127.0.0.1:7300/")), (options.TokenFile, options.TokenIssuer));
        Assert.Contains(options.Model.EventPolicies, p => p.Meta.Name == "predictor-propagates");
    }

    [Fact]
    public void Without_identity_settings_verification_is_off_and_no_tokens_are_asked_for()
    {
        var options = new BrokerOptions();

        BrokerSettings.Read(Configuration("--eventing", Eventing))(options);

        Assert.False(options.Verification.Enabled);
        Assert.Equal(Skylark.Events.Eventing.Policies.AuthorizationMode.AllowSameNamespace, options.DefaultAuthorization);
        Assert.Null(options.TokenIssuer);
    }

    [Theory]
    [InlineData("--token-issuer", "http://127.0.0.1:7300/", "--token-issuer (SKYLARK_TOKEN_ISSUER) needs --token-file (SKYLARK_TOKEN_FILE): the broker asks the issuer with its own token.")]
    [InlineData("--authorization-mode", "allow-some", "--authorization-mode (SKYLARK_AUTHORIZATION_MODE) must be one of allow-same-namespace, allow-all, deny-all; got 'allow-some'.")]
    public void A_token_issuer_needs_a_token_file_and_the_authorization_mode_is_one_of_knatives(string flag, string value, string message)
    {
        var error = Assert.Throws<ServiceConfigurationException>(() => BrokerSettings.Read(Configuration("--eventing", Eventing, flag, value)));

        Assert.Equal(message, error.Message);
    }
}
