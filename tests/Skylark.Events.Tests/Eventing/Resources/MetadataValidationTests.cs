namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class MetadataValidationTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Requires_metadata_name()
    {
        var errors = folder.LoadErrors("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  namespace: skylark\n");

        ErrorAssert.HasOnlyError(errors, 0, "metadata.name", "required");
    }

    [Fact]
    public void Requires_metadata()
    {
        var errors = folder.LoadErrors("apiVersion: eventing.knative.dev/v1\nkind: Broker\n");

        ErrorAssert.HasOnlyError(errors, 0, "metadata.name", "required");
    }

    [Theory]
    [InlineData("Default")]
    [InlineData("my_broker")]
    [InlineData("-leading-dash")]
    [InlineData("trailing-dash-")]
    public void Requires_the_name_to_be_a_dns_subdomain(string name)
    {
        var errors = folder.LoadErrors($"apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: {name}\n");

        ErrorAssert.HasOnlyError(errors, 0, "metadata.name", $"invalid name \"{name}\"");
    }

    [Theory]
    [InlineData("my.broker")]
    [InlineData("b-1")]
    public void Accepts_dns_subdomain_names(string name)
    {
        var model = folder.LoadValid($"apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: {name}\n");

        Assert.Equal(name, Assert.Single(model.Brokers).Meta.Name);
    }

    [Theory]
    [InlineData("Skylark")]
    [InlineData("sky.lark")]
    public void Requires_the_namespace_to_be_a_dns_label(string ns)
    {
        var errors = folder.LoadErrors($"apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n  namespace: {ns}\n");

        ErrorAssert.HasOnlyError(errors, 0, "metadata.namespace", $"invalid namespace \"{ns}\"");
    }
}
