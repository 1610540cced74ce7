using Skylark.Events.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>
/// Checks the shipped <c>eventing/</c> YAML against Knative's official CRD schemas (../shared/conformance), so the
/// same files also apply to a real cluster: every field they set is one the API server keeps, with the right type.
/// </summary>
public sealed class ShippedEventingCrdConformanceTests
{
    public static TheoryData<string> ShippedFiles() => ["broker.yaml", "triggers.yaml", "pingsources.yaml", "policies.yaml"];

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_field_is_declared_by_the_official_crd_with_its_type(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RepositoryPaths.InRoot("eventing", file))));
        Assert.NotEmpty(stream.Documents);

        foreach (var document in stream.Documents)
        {
            KnativeCrdSchemas.AssertConforms(Assert.IsType<YamlMappingNode>(document.RootNode), file);
        }
    }
}
