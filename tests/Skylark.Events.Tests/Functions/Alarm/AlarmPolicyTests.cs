using Skylark.Events.Functions.Alarm;

namespace Skylark.Events.Tests.Functions.Alarm;

public class AlarmPolicyTests
{
    private static readonly DateTimeOffset Noon = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0, 10, 10, "r0c0")]
    [InlineData(310, 230, 10, 10, "r2c2")]
    [InlineData(100, 70, 20, 20, "r1c1")] // centre (110, 80): exactly on the r1 boundary belongs to r1
    [InlineData(-50, 500, 10, 10, "r2c0")] // boxes reaching outside the frame are clamped to the edge zones
    public void A_box_is_in_the_zone_that_holds_its_centre(int x, int y, int width, int height, string zone) =>
        Assert.Equal(zone, AlarmZones.Of(new DetectedBox(x, y, width, height), 320, 240, AlarmSettings.Default));

    [Fact]
    public void Settings_refuse_needing_more_positives_than_the_window_holds()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AlarmSettings(windowSize: 3, requiredPositives: 4));

        Assert.Equal("requiredPositives", error.ParamName);
    }

    [Fact]
    public void A_zone_with_zero_cooldown_raises_on_every_qualifying_observation_and_keeps_no_cooldown_state()
    {
        var settings = new AlarmSettings(windowSize: 2, requiredPositives: 1, cooldownSeconds: 0);
        var state = AlarmState.Empty;

        var decisions = new List<AlarmDecision>();
        for (var i = 0; i < 3; i++)
        {
            var decision = AlarmDebouncer.Decide(state, settings, new AlarmObservation($"wf-{i}", Noon, ["r0c0"]), Noon);
            decisions.Add(decision);
            state = decision.State;
        }

        Assert.All(decisions, d => Assert.Equal(["r0c0"], d.Raised));
        Assert.Empty(state.LastRaised);
        Assert.Equal(["wf-1", "wf-2"], state.Observations.Select(o => o.WorkflowId));
    }

    [Fact]
    public void An_observation_of_a_workflow_already_counted_is_a_duplicate_and_changes_nothing()
    {
        var settings = new AlarmSettings(windowSize: 5, requiredPositives: 1);
        var first = AlarmDebouncer.Decide(AlarmState.Empty, settings, new AlarmObservation("wf-1", Noon, ["r0c0"]), Noon);

        var again = AlarmDebouncer.Decide(first.State, settings, new AlarmObservation("wf-1", Noon.AddSeconds(1), ["r0c0"]), Noon.AddSeconds(1));

        Assert.True(again.Duplicate);
        Assert.Same(first.State, again.State);
        Assert.Empty(again.Raised);
    }
}
