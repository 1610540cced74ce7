using Skylark.Events.Topology;

namespace Skylark.Events.Tests.Topology;

public sealed class KubernetesNamesTests
{
    [Theory]
    [InlineData("app=statesink")]
    [InlineData("app==statesink")]
    [InlineData("app = statesink, tier != ground")]
    [InlineData("app.kubernetes.io/name=statesink,pod-template-generation=3")]
    [InlineData("app in (statesink, sink),!canary")]
    [InlineData("environment notin (test),skylark.io/sink")]
    [InlineData("generation>2")]
    [InlineData("app=")]
    public void Selectors_the_api_server_accepts_pass(string selector) => Assert.Null(KubernetesNames.LabelSelectorProblem(selector));

    [Theory]
    [InlineData("", "is empty; it would select every pod")]
    [InlineData("app=statesink,,tier", "has an empty requirement (two commas in a row, or one at an end)")]
    [InlineData("app=state sink", "has 'app=state sink', which is not a requirement")]
    [InlineData("-app=statesink", "has the key '-app', which is not a label name")]
    [InlineData("Example.COM/app=x", "has the key 'Example.COM/app', whose prefix is not a DNS subdomain")]
    [InlineData("app=-x", "has the value '-x', which is not a label value")]
    [InlineData("app in ()", "lists no value in 'app in ()'")]
    [InlineData("generation>two", "compares 'generation' with '>' to 'two', which is not a whole number")]
    public void Malformed_selectors_are_refused_with_the_reason(string selector, string expected) =>
        Assert.StartsWith(expected, KubernetesNames.LabelSelectorProblem(selector), StringComparison.Ordinal);

    [Theory]
    [InlineData("skylark", true)]
    [InlineData("edge-system", true)]
    [InlineData("Skylark", false)]
    [InlineData("skylark_ns", false)]
    [InlineData("-skylark", false)]
    [InlineData("", false)]
    public void Namespaces_are_rfc_1123_labels(string name, bool valid) => Assert.Equal(valid, KubernetesNames.IsNamespace(name));
}
