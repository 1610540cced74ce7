using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace Skylark.Events.State.Functions;

/// <summary>
/// How an exception is answered. Knative retries 5xx (and 404/408/409/429) and dead-letters everything else at once,
/// so the status says whether a retry can help: 4xx for input that will never work, 503 for state or dependencies that
/// are unavailable right now. Nothing escapes as an unhandled 500.
/// </summary>
internal sealed record FunctionFailure(int Status, string Title, string Detail, bool Unexpected)
{
    public static FunctionFailure From(Exception error, FunctionRuntime runtime) => error switch
    {
        FunctionInputException => new(StatusCodes.Status422UnprocessableEntity, "Invalid input", error.Message, false),
        BundleTooLargeException => new(StatusCodes.Status422UnprocessableEntity, "Output too large", error.Message, false),
        StateNotFoundException notFound when runtime.IsDefinitelyMissing(notFound) =>
            new(StatusCodes.Status422UnprocessableEntity, "State not found", error.Message, false),
        StateNotFoundException => new(StatusCodes.Status503ServiceUnavailable, "State not reachable", error.Message, false),
        StateUnavailableException => new(StatusCodes.Status503ServiceUnavailable, "State unavailable", error.Message, false),
        FunctionUnavailableException => new(StatusCodes.Status503ServiceUnavailable, "Dependency unavailable", error.Message, false),
        RedisException or TimeoutException =>
            new(StatusCodes.Status503ServiceUnavailable, "State store unavailable", $"Redis on node '{runtime.Node}' is unavailable: {error.Message}", false),
        // A bug or a resource failure: reported and retried (it may pass), never a crash or a bare 500.
        _ => new(StatusCodes.Status503ServiceUnavailable, "Function failed", $"{error.GetType().Name}: {error.Message}", true),
    };
}
