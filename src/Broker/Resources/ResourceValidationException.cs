namespace Skylark.Events.Broker.Resources;

/// <summary>One problem in one field of one YAML document.</summary>
public sealed record ResourceError(string File, int Document, string Field, string Message)
{
    public override string ToString() => $"{File} (document {Document}): {Field}: {Message}";
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
