using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Net.Http.Headers;
using Skylark.Events.Identity;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Identity;

/// <summary>A real Kestrel app on 127.0.0.1 for the identity tests: an issuer, a receiver, a fake API server.</summary>
internal sealed class KestrelApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private KestrelApp(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>Starts on <paramref name="url"/>, or an ephemeral port when null.</summary>
    public static async Task<KestrelApp> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map, Uri? url = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        services(builder.Services);
        var app = builder.Build();
        app.Urls.Add(url?.GetLeftPart(UriPartial.Authority) ?? "http://127.0.0.1:0");
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new KestrelApp(app, new Uri(address));
    }

    /// <summary>
    /// A receiver checking senders for the audience in <c>?audience=</c>: 200 with the subject, or the authenticator's 401.
    /// <c>/healthz</c> stays open, as in the services.
    /// </summary>
    public static Task<KestrelApp> StartReceiverAsync(Action<SenderVerificationOptions> verification, TimeProvider? time = null) =>
        StartAsync(
            services =>
            {
                if (time is not null)
                {
                    services.AddSingleton(time);
                }

                services.AddSenderVerification(verification);
            },
            app =>
            {
                app.MapGet("/healthz", () => "ok");
                app.MapPost("/", async (HttpContext context, SenderAuthenticator authenticator) =>
                {
                    var result = await authenticator.AuthenticateAsync(context, context.Request.Query["audience"].ToString());
                    if (!result.IsAuthenticated)
                    {
                        await result.WriteProblemAsync(context.Response, context.RequestAborted);
                        return;
                    }

                    await context.Response.WriteAsync(result.Subject!, context.RequestAborted);
                });
            });

    /// <summary>An issuer on a port that was free a moment ago: its URL is in its tokens, so it is chosen before it starts.</summary>
    public static async Task<(KestrelApp App, LocalTokenIssuer Issuer)> StartIssuerAsync(string directory, TokenRequestPolicy policy)
    {
        var url = TestEvents.UnreachableUrl();
        var issuer = LocalTokenIssuer.CreateOrLoad(directory, url);
        var app = await StartAsync(_ => { }, a => a.MapTokenIssuer(issuer, policy), url);
        return (app, issuer);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>One answer of a receiver.</summary>
internal sealed record ReceiverAnswer(HttpStatusCode Status, string Body, string? Challenge)
{
    public static async Task<ReceiverAnswer> PostAsync(Uri receiver, string audience, string? token, HttpClient? client = null)
    {
        using var own = client is null ? new HttpClient() : null;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver, "/?audience=" + Uri.EscapeDataString(audience)));
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await (client ?? own!).SendAsync(request);
        return await FromAsync(response);
    }

    public static async Task<ReceiverAnswer> FromAsync(HttpResponseMessage response) =>
        new(response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues(HeaderNames.WWWAuthenticate, out var values) ? string.Join(", ", values) : null);
}
