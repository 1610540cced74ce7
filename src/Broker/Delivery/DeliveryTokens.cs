using Microsoft.Extensions.Options;
using Skylark.Events.Identity;

namespace Skylark.Events.Broker.Delivery;

/// <summary>A delivery's bearer token: none (<see cref="Token"/> null), one, or why it could not be had.</summary>
public readonly record struct DeliveryToken(string? Token, string? Error)
{
    public static DeliveryToken None => default;
}

/// <summary>
/// The tokens the broker delivers with, as Knative's broker filter and mtping adapter do: each delivery to a
/// destination that names an <c>audience</c> carries a token for it whose subject is the Trigger's (or the
/// PingSource's) own identity, granted by <see cref="BrokerOptions.TokenIssuer"/> in exchange for the broker's token
/// (<see cref="BrokerOptions.TokenFile"/>). A destination without an audience gets no token, as in Knative.
/// </summary>
public sealed partial class DeliveryTokens : IDisposable
{
    private readonly HttpClient? client;
    private readonly IssuerSenderTokens? issuer;
    private readonly ILogger<DeliveryTokens> logger;

    public DeliveryTokens(IOptions<BrokerOptions> options, TimeProvider time, ILogger<DeliveryTokens> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.logger = logger;
        if (options.Value is { TokenIssuer: { } issuerUrl, TokenFile: { } tokenFile })
        {
            // One client for the issuer: tokens are cached, so it is asked rarely, but it must not share the
            // deliveries' pool, which a slow subscriber may fill.
            client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(5) })
            {
                Timeout = TimeSpan.FromSeconds(10),
            };
            issuer = new IssuerSenderTokens(client, issuerUrl, new TokenFileSenderTokens(tokenFile, time), time);
        }
    }

    /// <summary>False without an issuer and a token file: deliveries then carry no token.</summary>
    public bool Enabled => issuer is not null;

    /// <summary>A token for <paramref name="subject"/> to send to <paramref name="audience"/>; none when there is no audience or no issuer.</summary>
    public async ValueTask<DeliveryToken> GetAsync(string subject, string? audience, CancellationToken cancellationToken)
    {
        if (issuer is null || audience is null)
        {
            return DeliveryToken.None;
        }

        try
        {
            return new DeliveryToken(await issuer.GetTokenAsync(subject, audience, cancellationToken), null);
        }
        catch (Exception error) when (error is HttpRequestException or IOException or UnauthorizedAccessException
            || (error is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogNoToken(subject, audience, error.Message);
            return new DeliveryToken(null, $"no token for {subject} to {audience}: {error.Message}");
        }
    }

    public void Dispose() => client?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not get a token for {Subject} to {Audience}: {Reason}")]
    private partial void LogNoToken(string subject, string audience, string reason);
}
