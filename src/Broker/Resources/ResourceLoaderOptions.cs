namespace Skylark.Events.Broker.Resources;

/// <summary>Optional checks the loader delegates to other components.</summary>
public sealed record ResourceLoaderOptions
{
    public static readonly ResourceLoaderOptions Default = new();

    /// <summary>
    /// Syntax-checks a Trigger <c>cesql</c> filter: returns null when the expression parses, otherwise an error
    /// message that includes the position. When unset, CESQL expressions are only checked for being non-empty.
    /// </summary>
    public Func<string, string?>? ValidateCesql { get; init; }
}
