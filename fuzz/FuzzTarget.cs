namespace Skylark.Events.Fuzz;

/// <summary>
/// One component under fuzzing: <see cref="Execute"/> feeds it one input, and <see cref="Expected"/> names the
/// exception types its contract documents for bad input. Any other exception, a hang or a crash is a finding.
/// </summary>
public sealed record FuzzTarget(string Name, string Description, Action<byte[]> Execute, IReadOnlyList<Type> Expected)
{
    public bool IsExpected(Exception exception) => Expected.Any(type => type.IsInstanceOfType(exception));

    /// <summary>Runs one input, swallowing the documented failures so only findings escape.</summary>
    public void Run(byte[] input)
    {
        try
        {
            Execute(input);
        }
        catch (Exception e) when (IsExpected(e))
        {
            // Documented rejection of a bad input: what the component promises, not a finding.
        }
    }
}
