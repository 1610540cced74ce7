namespace Skylark.Events.Tests.Architecture;

/// <summary>
/// One row of the layer table: what the project named <see cref="Project"/> (its folder under src/, or <c>lab</c> or
/// <c>bench</c> beside it) may reference. Each list names projects (the same way), frameworks or packages;
/// <see cref="Any"/> allows everything of that kind.
/// </summary>
public sealed record Layer(
    string Project,
    string Role,
    IReadOnlyList<string> Projects,
    IReadOnlyList<string> Frameworks,
    IReadOnlyList<string> Packages)
{
    public const string Any = "*";

    public IReadOnlyList<string> Allowed(ReferenceKind kind) => kind switch
    {
        ReferenceKind.Project => Projects,
        ReferenceKind.Framework => Frameworks,
        _ => Packages,
    };

    public bool Allows(ProjectReferenceItem reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var allowed = Allowed(reference.Kind);
        return allowed.Contains(Any) || allowed.Contains(reference.To, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// One message per reference the table does not allow, naming the project file, the reference and what the
    /// project's layer allows instead; a project without a row is a violation too, so a new project must be placed.
    /// </summary>
    public static IReadOnlyList<string> Violations(IEnumerable<ProjectReferenceItem> references, IReadOnlyList<Layer> table)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(table);
        var violations = new List<string>();
        foreach (var reference in references)
        {
            var layer = table.FirstOrDefault(l => string.Equals(l.Project, reference.From, StringComparison.Ordinal));
            if (layer is null)
            {
                violations.Add($"{reference.File}: {reference.From} is not in the layer table, so its {Describe(reference)} cannot be checked; add a row for it.");
            }
            else if (!layer.Allows(reference))
            {
                var allowed = layer.Allowed(reference.Kind);
                violations.Add(
                    $"{reference.File}: {reference.From} ({layer.Role}) may not reference {Describe(reference)}; " +
                    $"allowed {KindName(reference.Kind)}s: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}.");
            }
        }

        return violations;
    }

    private static string Describe(ProjectReferenceItem reference) => $"{KindName(reference.Kind)} {reference.To}";

    private static string KindName(ReferenceKind kind) => kind switch
    {
        ReferenceKind.Project => "project",
        ReferenceKind.Framework => "framework",
        _ => "package",
    };
}
