using Skylark.Events.Contracts;
using Skylark.Events.State;

namespace Skylark.Events.Tests.State;

public class InFlightPullsTests
{
    private static readonly StateRef Background = StateRef.Parse("sat-1/wf/detect.background");

    private static Bundle BundleOf(StateRef stateRef, long version) =>
        new(stateRef, version, DateTimeOffset.UnixEpoch, BundleItems.CreateBuilder().Add("v", version.ToString(System.Globalization.CultureInfo.InvariantCulture)).Build());

    [Fact]
    public async Task Concurrent_callers_for_one_bundle_share_one_pull()
    {
        var pulls = new InFlightPulls();
        var gate = new TaskCompletionSource<Bundle?>();
        var started = 0;

        var first = pulls.JoinOrStart(Background, () => { Interlocked.Increment(ref started); return gate.Task; });
        var second = pulls.JoinOrStart(Background, () => { Interlocked.Increment(ref started); return gate.Task; });
        gate.SetResult(BundleOf(Background, 4));

        Assert.False(first.Joined);
        Assert.True(second.Joined);
        Assert.Equal(1, started);
        Assert.Equal(1, pulls.Joins);
        Assert.Same(await first.Task, await second.Task);
    }

    [Fact]
    public async Task The_same_bundle_named_on_different_nodes_is_one_pull()
    {
        var pulls = new InFlightPulls();
        var gate = new TaskCompletionSource<Bundle?>();
        pulls.JoinOrStart(Background, () => gate.Task);

        Assert.True(pulls.TryJoin(Background.On("sat-2"), out var joined));
        gate.SetResult(null);
        Assert.Null(await joined);
    }

    [Fact]
    public async Task A_finished_pull_is_removed_so_the_next_caller_starts_a_new_one()
    {
        var pulls = new InFlightPulls();
        var first = pulls.JoinOrStart(Background, () => Task.FromResult<Bundle?>(BundleOf(Background, 1)));
        await first.Task;

        var second = pulls.JoinOrStart(Background, () => Task.FromResult<Bundle?>(BundleOf(Background, 2)));

        Assert.False(second.Joined);
        Assert.Equal(2, (await second.Task)!.Version);
        Assert.Equal(0, pulls.Count);
        Assert.False(pulls.IsInFlight(Background));
    }

    [Fact]
    public async Task The_entry_stays_until_the_pull_function_has_finished_its_own_work()
    {
        var pulls = new InFlightPulls();
        var keepingCopy = new TaskCompletionSource();
        var pull = pulls.JoinOrStart(Background, async () =>
        {
            await keepingCopy.Task;
            return BundleOf(Background, 1);
        });

        Assert.True(pulls.IsInFlight(Background));
        keepingCopy.SetResult();
        await pull.Task;
        Assert.False(pulls.IsInFlight(Background));
    }

    [Fact]
    public async Task A_failed_pull_fails_every_caller_sharing_it_and_is_removed()
    {
        var pulls = new InFlightPulls();
        var gate = new TaskCompletionSource<Bundle?>();
        var first = pulls.JoinOrStart(Background, () => gate.Task);
        var second = pulls.JoinOrStart(Background, () => gate.Task);

        gate.SetException(new HttpRequestException("node sat-1 unreachable"));

        await Assert.ThrowsAsync<HttpRequestException>(() => first.Task);
        await Assert.ThrowsAsync<HttpRequestException>(() => second.Task);
        Assert.Equal(0, pulls.Count);
    }

    [Fact]
    public async Task Beyond_capacity_new_pulls_are_refused_until_one_finishes()
    {
        var pulls = new InFlightPulls(capacity: 2);
        var gate = new TaskCompletionSource<Bundle?>();
        var a = pulls.JoinOrStart(StateRef.Parse("n/wf/a"), () => gate.Task);
        var b = pulls.JoinOrStart(StateRef.Parse("n/wf/b"), () => gate.Task);

        var error = Assert.Throws<StateUnavailableException>(() => pulls.JoinOrStart(StateRef.Parse("n/wf/c"), () => gate.Task));
        Assert.Contains("2 pulls are already in flight", error.Message, StringComparison.Ordinal);
        Assert.True(pulls.JoinOrStart(StateRef.Parse("n/wf/a"), () => gate.Task).Joined);

        gate.SetResult(null);
        await Task.WhenAll(a.Task, b.Task);
        var again = pulls.JoinOrStart(StateRef.Parse("n/wf/c"), () => Task.FromResult<Bundle?>(null));
        Assert.Null(await again.Task);
    }
}
