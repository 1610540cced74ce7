using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Skylark.Events.StateSink.Peer;

/// <summary>
/// Checks the shared peer token (<c>Authorization: Bearer &lt;token&gt;</c>). Both sides are hashed and compared in
/// constant time, so neither the token's content nor its length leaks through response timing.
/// </summary>
public sealed class PeerAuthenticator
{
    private const string Scheme = "Bearer ";

    private readonly byte[] _expected;

    public PeerAuthenticator(string peerToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peerToken);
        _expected = SHA256.HashData(Encoding.UTF8.GetBytes(peerToken));
    }

    public bool IsAuthorized(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers[HeaderNames.Authorization];
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
