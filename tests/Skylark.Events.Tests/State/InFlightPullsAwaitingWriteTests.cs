using Skylark.Events.Contracts;
using Skylark.Events.State;

namespace Skylark.Events.Tests.State;

/// <summary>Pulls registered as awaiting a write at one node (propagation one step ahead of the producer).</summary>
public class InFlightPullsAwaitingWriteTests
{
    private static readonly StateRef OnPredicted = StateRef.Parse("sat-2/wf/preprocess");
    private static readonly StateRef OnReal = StateRef.Parse("sat-1/wf/preprocess");

    private static Bundle BundleOf(StateRef stateRef, string value) =>
        new(stateRef, 1, DateTimeOffset.UnixEpoch, BundleItems.CreateBuilder().Add("v", value).Build());

    [Fact]
    public async Task An_awaiting_pull_is_joined_by_refs_naming_the_same_node()
    {
        var pulls = new InFlightPulls();
        var gate = new TaskCompletionSource<Bundle?>();
        var awaiting = pulls.JoinOrStart(OnPredicted, () => gate.Task, awaitingWrite: true);

        Assert.True(pulls.IsAwaitingWrite(OnPredicted));
        Assert.True(pulls.TryJoin(OnPredicted, out var joined));
        var second = pulls.JoinOrStart(OnPredicted, () => Task.FromResult<Bundle?>(null));
        gate.SetResult(BundleOf(OnPredicted, "x"));

        Assert.False(awaiting.Joined);
        Assert.True(second.Joined);
        Assert.Equal("x", (await joined)!.Items.GetString("v"));
        Assert.Same(await awaiting.Task, await second.Task);
        Assert.Equal(0, pulls.Count);
    }

    [Fact]
    public async Task A_ref_naming_another_node_does_not_join_an_awaiting_pull_but_replaces_it()
    {
        var pulls = new InFlightPulls();
        var awaitingGate = new TaskCompletionSource<Bundle?>();
        var awaiting = pulls.JoinOrStart(OnPredicted, () => awaitingGate.Task, awaitingWrite: true);

        Assert.False(pulls.TryJoin(OnReal, out _));
        var realGate = new TaskCompletionSource<Bundle?>();
        var real = pulls.JoinOrStart(OnReal, () => realGate.Task);

        Assert.False(real.Joined);
        Assert.False(pulls.IsAwaitingWrite(OnReal));
        Assert.Equal(1, pulls.Count);

        // Later readers (whatever node they name) join the replacing, ordinary pull.
        Assert.True(pulls.TryJoin(OnPredicted, out var later));
        Assert.Same(real.Task, later);

        // The replaced awaiting pull ends first: it must not remove the entry that replaced it.
        awaitingGate.SetResult(null);
        Assert.Null(await awaiting.Task);
        Assert.True(pulls.IsInFlight(OnReal));

        realGate.SetResult(BundleOf(OnReal, "real"));
        Assert.Equal("real", (await real.Task)!.Items.GetString("v"));
        Assert.Equal(0, pulls.Count);
        Assert.Equal(1, pulls.Joins);
    }

    [Fact]
    public async Task An_ordinary_pull_is_still_joined_by_any_node_and_the_existing_call_keeps_working()
    {
        var pulls = new InFlightPulls();
        var gate = new TaskCompletionSource<Bundle?>();
        var first = pulls.JoinOrStart(OnReal, () => gate.Task);

        var awaitingCaller = pulls.JoinOrStart(OnPredicted, () => Task.FromResult<Bundle?>(null), awaitingWrite: true);
        gate.SetResult(null);

        Assert.True(awaitingCaller.Joined);
        Assert.False(pulls.IsAwaitingWrite(OnReal));
        Assert.Same(await first.Task, await awaitingCaller.Task);
    }
}
