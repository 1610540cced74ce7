using Skylark.Events.Contracts;
using Skylark.Events.State;

namespace Skylark.Events.Tests.State;

public class BundleKeysTests
{
    [Fact]
    public void A_bundle_key_holds_the_workflow_id_and_bundle_name_verbatim_under_the_project_prefix()
    {
        var keys = new BundleKeys();

        Assert.Equal("skylark:b:wf_42:detect.background", keys.Key(StateRef.Parse("sat-1/wf_42/detect.background")));
    }

    [Fact]
    public void The_node_is_not_part_of_the_key_so_a_pulled_copy_is_the_same_bundle()
    {
        var keys = new BundleKeys("p");

        Assert.Equal(keys.Key(StateRef.Parse("sat-1/wf/b")), keys.Key(StateRef.Parse("edge-1/wf/b")));
        Assert.Equal(BundleKeys.PullKey(StateRef.Parse("sat-1/wf/b")), BundleKeys.PullKey(StateRef.Parse("edge-1/wf/b")));
    }

    [Fact]
    public void The_staging_key_is_outside_the_bundle_namespace()
    {
        var keys = new BundleKeys();
        var stateRef = StateRef.Parse("n/wf/b");

        Assert.False(keys.StagingKey(stateRef).StartsWith(keys.BundlePrefix, StringComparison.Ordinal));
        Assert.False(keys.TryParse(keys.StagingKey(stateRef), "n", out _));
    }

    [Theory]
    [InlineData("skylark")]
    [InlineData("team:skylark")]
    public void Keys_parse_back_to_the_state_ref_on_the_given_node_even_when_the_prefix_contains_colons(string prefix)
    {
        var keys = new BundleKeys(prefix);
        var stateRef = StateRef.Parse("sat-1/run-7.b/alarm.counts");

        Assert.True(keys.TryParse(keys.Key(stateRef), "edge-1", out var parsed));
        Assert.Equal(stateRef.On("edge-1"), parsed);
    }

    [Theory]
    [InlineData("other:b:wf:b")]
    [InlineData("skylark:b:only-one-segment")]
    [InlineData("skylark:b:wf:b:extra")]
    [InlineData("skylark:b::b")]
    public void Keys_outside_the_scheme_do_not_parse(string key)
    {
        Assert.False(new BundleKeys().TryParse(key, "n", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("glob*")]
    [InlineData(":leading-colon")]
    public void Invalid_prefixes_are_rejected_with_the_pattern(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => new BundleKeys(prefix));

        Assert.Contains(BundleKeys.PrefixPattern, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_patterns_match_all_bundles_or_those_of_a_workflow_id_prefix()
    {
        var keys = new BundleKeys();

        Assert.Equal("skylark:b:*", keys.ScanPattern());
        Assert.Equal("skylark:b:wf-1*", keys.ScanPattern("wf-1"));
        Assert.Throws<ArgumentException>(() => keys.ScanPattern("wf*"));
    }
}
