using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Eventing.Policies;

public sealed class OidcIdentityTests
{
    private const string TriggerSuffix = "-oidc-eventing.knative.dev-Trigger";

    [Fact]
    public void A_child_name_that_fits_is_parent_and_suffix()
    {
        Assert.Equal("detect-oidc-eventing.knative.dev-Trigger", KnativeNames.ChildName("detect", TriggerSuffix));
    }

    [Fact]
    public void A_child_name_of_exactly_63_characters_is_kept_whole()
    {
        var parent = "statesink-sync-edge-node-0001";

        var name = KnativeNames.ChildName(parent, TriggerSuffix);

        Assert.Equal(63, name.Length);
        Assert.Equal(parent + TriggerSuffix, name);
    }

    [Fact]
    public void A_long_parent_with_a_short_suffix_keeps_its_head_then_its_md5_then_the_suffix()
    {
        // 31 - 11 = 20 characters of the parent, then md5(parent) in hex, computed apart with Python's hashlib.
        var name = KnativeNames.ChildName("a-deployment-parent-name-that-is-far-too-long-for-kubernetes-xx", "-deployment");

        Assert.Equal("a-deployment-parent-0e686ae01d916e502fbc2e67b768048b-deployment", name);
        Assert.Equal(63, name.Length);
    }

    [Fact]
    public void A_long_parent_with_a_suffix_of_31_or_more_keeps_31_characters_and_the_md5_of_both()
    {
        // md5("propagate-edge-node-with-a-long-name-oidc-eventing.knative.dev-Trigger"), computed apart: the kind is
        // hashed as written (Trigger), and nothing of the suffix fits after the 31 + 32 characters.
        Assert.Equal(
            "propagate-edge-node-with-a-long883f1bbe79fcea01de1db7beb6dcee53",
            KnativeNames.ChildName("propagate-edge-node-with-a-long-name", TriggerSuffix));
    }

    [Fact]
    public void When_one_character_of_the_suffix_fits_a_trailing_dash_is_dropped()
    {
        // 30 + 32 = 62 leaves room for "-", which Knative trims so the name ends in a letter or digit.
        Assert.Equal(
            new string('p', 30) + "44a43cbecb244f95f6d5fc1229059799",
            KnativeNames.ChildName(new string('p', 30), TriggerSuffix));
    }

    [Theory]
    [InlineData("eventing.knative.dev", "Trigger", "detect", "detect-oidc-eventing.knative.dev-trigger")]
    [InlineData("sources.knative.dev", "PingSource", "statesink-sync", "statesink-sync-oidc-sources.knative.dev-pingsource")]
    [InlineData("eventing.knative.dev", "Trigger", "propagate-edge-node-with-a-long-name", "propagate-edge-node-with-a-long883f1bbe79fcea01de1db7beb6dcee53")]
    public void A_resource_sends_as_its_lowercased_oidc_service_account(string group, string kind, string name, string serviceAccount)
    {
        Assert.Equal(serviceAccount, OidcIdentity.ServiceAccountFor(group, kind, name));
        Assert.Equal("system:serviceaccount:skylark:" + serviceAccount, OidcIdentity.SubjectFor(group, kind, "skylark", name));
    }

    [Fact]
    public void A_receivers_audience_is_group_kind_namespace_and_name_lowercased()
    {
        Assert.Equal("eventing.knative.dev/broker/skylark/default", OidcIdentity.Audience("eventing.knative.dev", "Broker", "skylark", "default"));
        Assert.Equal("eventing.knative.dev/broker/skylark/default", PolicyReceiver.Broker("skylark", "default").Audience);
    }

    [Theory]
    [InlineData("system:serviceaccount:skylark:detect", true, "skylark", "detect")]
    [InlineData("system:serviceaccount:skylark:", false, "", "")]
    [InlineData("system:serviceaccount::detect", false, "", "")]
    [InlineData("system:serviceaccount:a:b:c", false, "", "")]
    [InlineData("https://accounts.example.com|1234", false, "", "")]
    public void Parses_only_service_account_subjects(string subject, bool parsed, string ns, string name)
    {
        Assert.Equal((parsed, ns, name), (OidcIdentity.TryParseServiceAccountSubject(subject, out var n, out var a), n, a));
    }

    [Theory]
    [InlineData("allow-same-namespace", AuthorizationMode.AllowSameNamespace)]
    [InlineData("allow-all", AuthorizationMode.AllowAll)]
    [InlineData("deny-all", AuthorizationMode.DenyAll)]
    public void Reads_the_knative_spelling_of_the_default_authorization_mode(string text, AuthorizationMode mode)
    {
        Assert.Equal(mode, AuthorizationModes.Parse(text));
        Assert.Equal(text, mode.ToKnativeString());
    }

    [Fact]
    public void Refuses_an_unknown_authorization_mode()
    {
        Assert.False(AuthorizationModes.TryParse("AllowAll", out _));
        Assert.Throws<FormatException>(() => AuthorizationModes.Parse("allow-some"));
    }
}
