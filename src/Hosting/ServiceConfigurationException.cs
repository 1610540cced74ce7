namespace Skylark.Events.Hosting;

/// <summary>A service cannot start with its configuration; <see cref="Exception.Message"/> is one line per problem.</summary>
public sealed class ServiceConfigurationException : Exception
{
    public ServiceConfigurationException(IReadOnlyList<ConfigurationProblem> problems)
        : base(string.Join(Environment.NewLine, Validate(problems)))
    {
        Problems = problems;
    }

    public ServiceConfigurationException(Setting setting, string problem)
        : this([new ConfigurationProblem(setting, problem)])
    {
    }

    public IReadOnlyList<ConfigurationProblem> Problems { get; }

    private static IReadOnlyList<ConfigurationProblem> Validate(IReadOnlyList<ConfigurationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count > 0 ? problems : throw new ArgumentException("A configuration error names at least one problem.", nameof(problems));
    }
}
