using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>Assertions on the errors the loader reports.</summary>
public static class ErrorAssert
{
    /// <summary>Asserts one error names this document and field and its message contains <paramref name="message"/>.</summary>
    public static ResourceError HasError(IReadOnlyList<ResourceError> errors, int document, string field, string message)
    {
        var match = errors.FirstOrDefault(e => e.Document == document && e.Field == field && e.Message.Contains(message, StringComparison.Ordinal));
        Assert.True(
            match is not null,
            $"Expected an error at document {document}, field '{field}', containing '{message}'. Got:{Environment.NewLine}"
            + string.Join(Environment.NewLine, errors));
        return match!;
    }

    /// <summary>Asserts the only error names this document and field.</summary>
    public static ResourceError HasOnlyError(IReadOnlyList<ResourceError> errors, int document, string field, string message)
    {
        var error = HasError(errors, document, field, message);
        Assert.True(errors.Count == 1, "Expected exactly one error. Got:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        return error;
    }
}
