using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters.Cesql;

namespace Skylark.Events.Tests.Eventing.Filters.Cesql;

/// <summary>One test of the CESQL TCK: an expression, the event it runs on, and the expected value or error kind.</summary>
public sealed record CesqlTckCase(
    string File,
    string Name,
    string Expression,
    CesqlValue? ExpectedResult,
    CesqlErrorKind? ExpectedError,
    Func<CloudEvent> CreateEvent);
