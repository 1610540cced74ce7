namespace Skylark.Events.Topology;

/// <summary>
/// A topology that cannot be used. Carries every problem found, not just the first,
/// so a hand-written topology file can be fixed in one pass.
/// </summary>
public sealed class TopologyValidationException : ArgumentException
{
    public TopologyValidationException(string error)
        : this(null, [error])
    {
    }

    public TopologyValidationException(string? file, IReadOnlyList<string> errors)
        : base(Describe(file, errors))
    {
        File = file;
        Errors = errors;
    }

    public TopologyValidationException()
        : this(null, ["invalid topology"])
    {
    }

    public TopologyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>The topology file, when the topology came from one.</summary>
    public string? File { get; }

    /// <summary>One message per problem, each naming where it is (e.g. <c>links[2]</c>).</summary>
    public IReadOnlyList<string> Errors { get; } = [];

    private static string Describe(string? file, IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var prefix = file is null ? "invalid topology" : $"invalid topology '{file}'";
        return errors.Count == 1
            ? $"{prefix}: {errors[0]}"
            : $"{prefix} ({errors.Count} problems):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", errors)}";
    }
}
