using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skylark.Events.Identity;

/// <summary>A request to the local issuer's <c>/token</c>, shaped like Kubernetes' TokenRequest spec; a misspelt field is refused, not ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record TokenRequest(string? Subject, string? Audience, long? ExpirationSeconds)
{
    /// <summary>Kubernetes' own lower bound: shorter tokens would be renewed all the time.</summary>
    public const long MinimumExpirationSeconds = 600;

    public const long MaximumExpirationSeconds = 48 * 3600;

    public const long DefaultExpirationSeconds = 3600;
}

/// <summary>The issuer's answer, shaped like Kubernetes' TokenRequest status.</summary>
internal sealed record TokenResponse(string Token, DateTimeOffset ExpirationTimestamp);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class TokenJson : JsonSerializerContext;
