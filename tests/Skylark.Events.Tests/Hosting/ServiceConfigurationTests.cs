using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Hosting;

public sealed class ServiceConfigurationTests
{
    private static readonly Setting Name = new("node", "A node.");
    private static readonly Setting Password = new("redis-password", "A secret.", secret: true);
    private static readonly Setting PasswordFile = new("redis-password-file", "A secret's file.");
    private static readonly Setting Budget = new("memory-budget", "Bytes.");

    private static ServiceConfiguration From(string[] args, Dictionary<string, string?>? environment = null) => new(
        new ConfigurationBuilder()
            .AddInMemoryCollection(environment ?? [])
            .AddCommandLine(args)
            .Build());

    [Fact]
    public void A_setting_has_one_flag_and_one_environment_variable()
    {
        Assert.Equal(("--redis-password-file", "SKYLARK_REDIS_PASSWORD_FILE"), (PasswordFile.Flag, PasswordFile.Environment));
        Assert.Equal("K_SINK", CommonSettings.Sink.Environment);
        Assert.Throws<ArgumentException>(() => new Setting("Redis_Password", "Not lower-case words joined by dashes."));
    }

    [Fact]
    public void The_flag_and_the_environment_variable_give_the_same_value_and_the_command_line_wins()
    {
        // What AddEnvironmentVariables("SKYLARK_") makes of SKYLARK_MEMORY_BUDGET.
        var environment = new Dictionary<string, string?> { ["MEMORY_BUDGET"] = "100", ["NODE"] = "from-env" };

        Assert.Equal(100, From([], environment).Int64(Budget));
        Assert.Equal("from-flag", From(["--node", "from-flag"], environment).Get(Name));
    }

    [Fact]
    public void A_secret_on_the_command_line_is_refused_and_never_read()
    {
        var settings = From(["--redis-password", "hunter2"]);

        Assert.Null(settings.GetSecret(Password, PasswordFile));
        var problem = Assert.Single(settings.Problems).ToString();
        Assert.Equal("SKYLARK_REDIS_PASSWORD is a secret and is never read from the command line; set SKYLARK_REDIS_PASSWORD or name a file with --redis-password-file.", problem);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_comes_from_its_environment_variable_or_from_the_file_its_companion_names()
    {
        using var scratch = new ScratchDirectory();
        File.WriteAllText(scratch.File("password"), "from-file\n");

        Assert.Equal("from-env", From([], new() { ["REDIS_PASSWORD"] = "from-env" }).GetSecret(Password, PasswordFile));
        Assert.Equal("from-file", From(["--redis-password-file", scratch.File("password")]).GetSecret(Password, PasswordFile));
    }

    [Fact]
    public void A_secret_given_twice_or_in_a_missing_file_is_a_problem_naming_the_key()
    {
        var both = From(["--redis-password-file", "/nonexistent"], new() { ["REDIS_PASSWORD"] = "x" });
        var missing = From(["--redis-password-file", "/nonexistent/password"]);

        both.GetSecret(Password, PasswordFile);
        missing.GetSecret(Password, PasswordFile);

        Assert.StartsWith("--redis-password-file (SKYLARK_REDIS_PASSWORD_FILE) and SKYLARK_REDIS_PASSWORD are both set", Assert.Single(both.Problems).ToString(), StringComparison.Ordinal);
        Assert.StartsWith("--redis-password-file (SKYLARK_REDIS_PASSWORD_FILE) names '/nonexistent/password', which cannot be read", Assert.Single(missing.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_collected_and_reported_one_line_each()
    {
        var settings = From(["--memory-budget", "lots", "--sink", "ftp://broker"]);

        settings.Required(Name);
        settings.Int64(Budget, minimum: 1);
        settings.Url(CommonSettings.Sink);
        var error = Assert.Throws<ServiceConfigurationException>(settings.ThrowIfInvalid);

        Assert.Equal(
            [
                "--node (SKYLARK_NODE) is required.",
                $"--memory-budget (SKYLARK_MEMORY_BUDGET) must be a whole number from 1 to {long.MaxValue}; got 'lots'.",
                "--sink (K_SINK) must be an absolute http(s) URL; got 'ftp://broker'.",
            ],
            error.Message.Split(Environment.NewLine));
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2", 2_000)]
    [InlineData("1h", 3_600_000)]
    public void Durations_are_written_as_people_write_them(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("10x")]
    [InlineData("5m3")]
    public void Anything_else_is_not_a_duration(string text) => Assert.False(Durations.TryParse(text, out _));
}
