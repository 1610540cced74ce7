namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// One problem in one field of one YAML document. <see cref="Document"/> is 0-based, or -1 when the problem is
/// with the file itself (missing, unreadable). <see cref="Field"/> is a path such as <c>spec.filters[0].exact</c>,
/// empty when the problem is not with one field (YAML syntax).
/// </summary>
public sealed record ResourceError(string File, int Document, string Field, string Message)
{
    /// <summary>1-based line in <see cref="File"/> the problem was found at, when known.</summary>
    public int? Line { get; init; }

    public override string ToString()
    {
        var where = Document < 0
            ? File
            : Line is { } line ? $"{File} (document {Document}, line {line})" : $"{File} (document {Document})";
        return Field.Length == 0 ? $"{where}: {Message}" : $"{where}: {Field}: {Message}";
    }
}

/// <summary>The YAML did not validate; <see cref="Errors"/> lists every problem found, not just the first.</summary>
public sealed class ResourceValidationException : Exception
{
    public ResourceValidationException(IReadOnlyList<ResourceError> errors)
        : base(FormatMessage(errors)) => Errors = errors;

    public ResourceValidationException()
        : this([])
    {
    }

    public ResourceValidationException(string message)
        : base(message) => Errors = [];

    public ResourceValidationException(string message, Exception innerException)
        : base(message, innerException) => Errors = [];

    public IReadOnlyList<ResourceError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<ResourceError> errors) =>
        $"{errors.Count} error(s) in Knative resources:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
