using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Skylark.Events.Identity;

/// <summary>
/// The trusted signing keys, from discovery or a key set file, cached and fetched again on a schedule or when a token
/// names a key not yet known. It is the configuration manager of the JwtBearer options too. The library's
/// <c>ConfigurationManager</c> refreshes in the background after <c>RequestRefresh</c>, so the request carrying a
/// rotated key's first token would still fail; here the next read after a granted refresh request waits for the fetch.
/// </summary>
internal sealed partial class SenderKeys : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    private readonly SenderVerificationOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<SenderKeys> logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Lock refreshLock = new();
    private readonly HttpClient? client;
    private readonly HttpDocumentRetriever? retriever;
    private volatile OpenIdConnectConfiguration? current;
    private DateTimeOffset fetchedAt;
    private DateTimeOffset? lastRefreshRequest;
    private volatile bool refreshRequested;
    private (DateTimeOffset At, Exception Error)? lastFailure;

    public SenderKeys(IOptions<SenderVerificationOptions> options, TimeProvider time, ILogger<SenderKeys> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        if (this.options.KeySetFile is null && this.options.Issuer is { } issuer)
        {
            client = DiscoveryClient(this.options);
            retriever = new HttpDocumentRetriever(client) { RequireHttps = issuer.Scheme == Uri.UriSchemeHttps };
        }
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }

        await gate.WaitAsync(cancel);
        try
        {
            if (Fresh() is { } fetched)
            {
                return fetched;
            }

            if (current is null && lastFailure is { } failure && time.GetUtcNow() - failure.At < options.UnknownKeyRefreshInterval)
            {
                // An issuer that is away is not asked again by every request in the meantime.
                throw new InvalidOperationException($"Fetching keys from {Source} failed moments ago.", failure.Error);
            }

            refreshRequested = false;
            try
            {
                var configuration = await FetchAsync(cancel);
                LogFetched(Source, configuration.SigningKeys.Count, string.Join(", ", configuration.SigningKeys.Select(k => k.KeyId)));
                current = configuration;
                fetchedAt = time.GetUtcNow();
                lastFailure = null;
                return configuration;
            }
            catch (Exception error) when (current is null && error is not OperationCanceledException)
            {
                lastFailure = (time.GetUtcNow(), error);
                throw;
            }
            catch (Exception error) when (current is not null && error is not OperationCanceledException)
            {
                // Keys that verified a minute ago still do; an issuer briefly away must not turn every sender away.
                LogFetchFailed(error, Source);
                fetchedAt = time.GetUtcNow() - options.KeyRefreshInterval + options.UnknownKeyRefreshInterval;
                return current;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Grants a fetch on the next read unless one was granted within <see cref="SenderVerificationOptions.UnknownKeyRefreshInterval"/>.</summary>
    public void RequestRefresh()
    {
        var now = time.GetUtcNow();
        lock (refreshLock)
        {
            if (lastRefreshRequest is { } last && now - last < options.UnknownKeyRefreshInterval)
            {
                return;
            }

            lastRefreshRequest = now;
            refreshRequested = true;
        }
    }

    public void Dispose()
    {
        client?.Dispose();
        gate.Dispose();
    }

    private string Source => options.KeySetFile ?? IssuerNames.Under(options.Issuer!, ".well-known/openid-configuration").ToString();

    private OpenIdConnectConfiguration? Fresh() =>
        current is { } configuration && !refreshRequested && time.GetUtcNow() - fetchedAt < options.KeyRefreshInterval ? configuration : null;

    private async Task<OpenIdConnectConfiguration> FetchAsync(CancellationToken cancel)
    {
        if (options.KeySetFile is { } file)
        {
            var keys = new JsonWebKeySet(await File.ReadAllTextAsync(file, cancel));
            var configuration = new OpenIdConnectConfiguration { Issuer = options.Issuer is { } issuer ? IssuerNames.Of(issuer) : null };
            foreach (var key in keys.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }

        return await OpenIdConnectConfigurationRetriever.GetAsync(Source, retriever!, cancel);
    }

    private static HttpClient DiscoveryClient(SenderVerificationOptions options)
    {
        var sockets = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.CaFile is { } caFile)
        {
            // Only the given roots: the API server's certificate is signed by the cluster's own CA.
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            sockets.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            sockets.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        HttpMessageHandler handler = sockets;
        if (options.DiscoveryTokenFile is { } tokenFile)
        {
            // The file holds a token for the API server's own audience; the audience asked for does not choose it.
            handler = new BearerTokenHandler(new TokenFileSenderTokens(tokenFile), IssuerNames.Of(options.Issuer!)) { InnerHandler = sockets };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sender verification trusts {Count} key(s) from {Source}: {KeyIds}")]
    private partial void LogFetched(string source, int count, string keyIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sender verification could not fetch keys from {Source}; keeping the keys it has")]
    private partial void LogFetchFailed(Exception error, string source);
}
