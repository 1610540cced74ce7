using Skylark.Events.Broker.Dispatch;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Broker.Dispatch;

public class DestinationResolverTests
{
    private static readonly DestinationResolver Resolver = new(new Dictionary<string, Uri>
    {
        ["edge/detect"] = new("http://127.0.0.1:8081/"),
        ["alarm"] = new("http://127.0.0.1:8082/base/"),
    });

    [Fact]
    public void An_absolute_uri_is_used_as_is()
    {
        Assert.Equal(new Uri("http://example.com/events"), Resolver.Resolve(new Destination(null, new Uri("http://example.com/events")), "ns"));
    }

    [Fact]
    public void A_relative_uri_without_ref_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Resolver.Resolve(new Destination(null, new Uri("/x", UriKind.Relative)), "ns"));
    }

    [Fact]
    public void An_unmapped_service_ref_resolves_to_its_cluster_local_address_in_the_holders_namespace()
    {
        var url = Resolver.Resolve(new Destination(Service("preprocess"), null), "skylark");

        Assert.Equal(new Uri("http://preprocess.skylark.svc.cluster.local"), url);
    }

    [Fact]
    public void A_ref_namespace_overrides_the_holders()
    {
        Assert.Equal(new Uri("http://preprocess.other.svc.cluster.local"), Resolver.Resolve(new Destination(Service("preprocess", "other"), null), "skylark"));
    }

    [Fact]
    public void The_service_map_is_looked_up_by_namespace_and_name_then_by_name()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8081/"), Resolver.Resolve(new Destination(Service("detect"), null), "edge"));
        Assert.Equal(new Uri("http://detect.cloud.svc.cluster.local"), Resolver.Resolve(new Destination(Service("detect"), null), "cloud"));
        Assert.Equal(new Uri("http://127.0.0.1:8082/base/"), Resolver.Resolve(new Destination(Service("alarm"), null), "anywhere"));
    }

    [Fact]
    public void A_ref_with_a_relative_uri_resolves_the_uri_against_the_refs_url()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8082/base/dlq"), Resolver.Resolve(new Destination(Service("alarm"), new Uri("dlq", UriKind.Relative)), "ns"));
        Assert.Equal(new Uri("http://127.0.0.1:8082/dlq"), Resolver.Resolve(new Destination(Service("alarm"), new Uri("/dlq", UriKind.Relative)), "ns"));
    }

    [Fact]
    public void A_broker_ref_resolves_to_knatives_broker_ingress()
    {
        var broker = new KReference("Broker", "default", null, "eventing.knative.dev/v1");

        Assert.Equal(new Uri("http://broker-ingress.knative-eventing.svc.cluster.local/skylark/default"), Resolver.Resolve(new Destination(broker, null), "skylark"));
    }

    private static KReference Service(string name, string? ns = null) => new("Service", name, ns, "serving.knative.dev/v1");
}
