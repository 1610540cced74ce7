using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Skylark.Events.Broker.Ingress;

/// <summary>The URL of a broker's ingress as others reach it: the configured base, else the first address Kestrel bound.</summary>
internal sealed class IngressAddress(IOptions<BrokerOptions> options, IServiceProvider services)
{
    private Uri? baseUrl = options.Value.IngressBaseUrl;

    public Uri For(string @namespace, string broker) => new(BaseUrl, $"/{@namespace}/{broker}");

    private Uri BaseUrl => baseUrl ??= Discover();

    private Uri Discover()
    {
        var bound = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out var url) ? url : new Uri("http://localhost");
    }
}
