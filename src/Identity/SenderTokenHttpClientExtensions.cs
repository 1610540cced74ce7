using Microsoft.Extensions.DependencyInjection;

namespace Skylark.Events.Identity;

public static class SenderTokenHttpClientExtensions
{
    /// <summary>
    /// Sends the requests of this client with the service's own identity token read from <paramref name="tokenFile"/>
    /// (nothing is added when it is null: sender identity is off), for the audience <paramref name="audienceOf"/> finds
    /// in each request's URL.
    /// </summary>
    public static IHttpClientBuilder AddSenderToken(this IHttpClientBuilder builder, Func<IServiceProvider, string?> tokenFile, Func<Uri?, string?> audienceOf)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tokenFile);
        ArgumentNullException.ThrowIfNull(audienceOf);
        return builder.AddHttpMessageHandler(services => tokenFile(services) is { } file
            ? new BearerTokenHandler(new TokenFileSenderTokens(file), audienceOf)
            : new BearerTokenHandler(SenderTokens.None, audienceOf));
    }
}
