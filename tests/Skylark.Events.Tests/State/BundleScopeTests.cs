using Skylark.Events.Contracts;
using Skylark.Events.State;

namespace Skylark.Events.Tests.State;

public class BundleScopeTests
{
    [Theory]
    [InlineData("detect", true)]
    [InlineData("detect.background", true)]
    [InlineData("detect.a.b", true)]
    [InlineData("detector.background", false)]
    [InlineData("detect.", false)]
    [InlineData("alarm.counts", false)]
    [InlineData("detectbackground", false)]
    public void A_function_owns_its_own_name_and_names_prefixed_by_it_and_a_dot(string bundle, bool owned)
    {
        Assert.Equal(owned, BundleScope.ForFunction("detect").Owns(bundle));
    }

    [Fact]
    public void The_unrestricted_scope_owns_everything()
    {
        Assert.True(BundleScope.Unrestricted.Owns("alarm.counts"));
        Assert.True(BundleScope.Unrestricted.IsUnrestricted);
    }

    [Fact]
    public void A_refused_bundle_gets_an_error_naming_the_function_and_the_bundle()
    {
        var error = Assert.Throws<BundleScopeException>(
            () => BundleScope.ForFunction("detect").EnsureOwns(StateRef.Parse("n/wf/alarm.counts")));

        Assert.Contains("'detect'", error.Message, StringComparison.Ordinal);
        Assert.Contains("n/wf/alarm.counts", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("with.dot")]
    [InlineData("")]
    [InlineData("white space")]
    public void Function_names_that_would_make_ownership_ambiguous_are_rejected(string function)
    {
        Assert.Throws<ArgumentException>(() => BundleScope.ForFunction(function));
    }
}
