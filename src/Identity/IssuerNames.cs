namespace Skylark.Events.Identity;

/// <summary>
/// <c>iss</c> is compared as a string, and <see cref="Uri.ToString"/> gives <c>https://host/</c> where the API server
/// writes <c>https://host</c>: both sides use this one spelling.
/// </summary>
internal static class IssuerNames
{
    public static string Of(Uri issuer) => issuer.AbsoluteUri.TrimEnd('/');

    /// <summary>An address under the issuer, keeping any path it has (a cloud cluster's issuer has one).</summary>
    public static Uri Under(Uri issuer, string relative) => new(Of(issuer) + "/" + relative.TrimStart('/'));
}
