using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Dashboard;

/// <summary>The ground link moving from one satellite to the other as the topology's snapshots rotate, seen in the page.</summary>
public sealed partial class DashboardBrowserTests
{
    /// <summary>
    /// Two satellites take turns at the cloud's ground link every few seconds; the edge reaches the cloud over land, so
    /// the satellite–cloud link is the only one that moves.
    /// </summary>
    private const string HandoverTopology = """
        name: ground-handover
        snapshotPeriodSeconds: 3
        nodes:
          - { name: edge, type: edge, functions: [preprocess] }
          - { name: sat-a, type: sat, functions: [detect] }
          - { name: sat-b, type: sat }
          - { name: cloud, type: cloud, functions: [alarm] }
        snapshots:
          - name: a-overhead
            links:
              - { a: edge, b: cloud, latencyMs: 20, bandwidthMbps: 50 }
              - { a: sat-a, b: sat-b, latencyMs: 10, bandwidthMbps: 90 }
              - { a: sat-a, b: cloud, latencyMs: 25, bandwidthMbps: 30 }
          - name: b-overhead
            links:
              - { a: edge, b: cloud, latencyMs: 20, bandwidthMbps: 50 }
              - { a: sat-a, b: sat-b, latencyMs: 10, bandwidthMbps: 90 }
              - { a: sat-b, b: cloud, latencyMs: 35, bandwidthMbps: 20 }
        """;

    private static readonly TimeSpan HandoverBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_dashboard_draws_the_ground_link_moving_to_the_next_satellite_with_each_snapshot()
    {
        using var work = new ScratchDirectory();
        var topology = work.File("ground-handover.yaml");
        await File.WriteAllTextAsync(topology, HandoverTopology);
        var console = new LockedWriter();
        var options = new DemoOptions
        {
            TopologyPath = topology,
            EventingPath = RepositoryPaths.InRoot("eventing"),
            Mode = StateMode.Skylark,
            // Longer than the checks need: the test stops the run as soon as they pass.
            Duration = TimeSpan.FromSeconds(60),
            FramesPerSecond = 1,
            Cameras = 1,
            WorkDirectory = work.Path,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var run = new DemoRun(options, NullLoggerFactory.Instance, console).RunAsync(stop.Token);
        var elapsed = Stopwatch.StartNew();
        try
        {
            Uri? url = null;
            await Poll.UntilAsync(() => (url = DashboardUrl(console.Text)) is not null || run.IsCompleted, "the demo prints its dashboard's URL", TimeSpan.FromSeconds(90));
            Assert.True(url is not null, $"no dashboard URL printed:\n{console.Text}");
            await using var browser = await BrowserPage.OpenAsync(url);
            var page = browser.Page;

            // Both satellites' ground links are drawn, whichever snapshot holds now.
            await page.Locator("[data-link='sat-b->cloud']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            Assert.Equal(["sat-a", "sat-b"], (await page.Locator("[data-ground]").EvaluateAllAsync<string[]>("gs => gs.map(g => g.dataset.ground)")).Order());

            // First sat-a has the ground link, then the clock moves on and sat-b has it: the label and the picture change
            // together, and the other satellite's ground link is drawn as down.
            await Poll.UntilAsync(async () => await GroundAsync(page) == new GroundSeen("a-overhead", "sat-a", "sat-a", "sat-b->cloud"), "sat-a has the ground link in a-overhead", HandoverBound);
            await Poll.UntilAsync(async () => await GroundAsync(page) == new GroundSeen("b-overhead", "sat-b", "sat-b", "sat-a->cloud"), "the ground link moves to sat-b in b-overhead", HandoverBound);
            output.WriteLine($"Ground link seen moving after {elapsed.Elapsed.TotalSeconds:0.0} s.");
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !timeout.IsCancellationRequested)
            {
                // Stopped on purpose once the page had shown the handover; the run has stopped what it started.
            }

            output.WriteLine(console.Text);
            output.WriteLine($"The test's run took {elapsed.Elapsed.TotalSeconds:0.0} s.");
        }
    }

    /// <summary>What the page shows in one moment: the snapshot, the ground-link satellite drawn up, the tile, the down ground links.</summary>
    private static async Task<GroundSeen> GroundAsync(IPage page)
    {
        var seen = await page.EvaluateAsync<JsonElement>("""
            () => ({
              snapshot: document.getElementById('t-snapshot').textContent,
              up: [...document.querySelectorAll("[data-ground][data-up='true']")].map(g => g.dataset.ground).join(','),
              tile: document.getElementById('t-ground').textContent,
              down: [...document.querySelectorAll("[data-ground][data-up='false'].down")].map(g => g.dataset.link).join(','),
            })
            """);
        return new GroundSeen(
            seen.GetProperty("snapshot").GetString(),
            seen.GetProperty("up").GetString(),
            seen.GetProperty("tile").GetString(),
            seen.GetProperty("down").GetString());
    }

    private sealed record GroundSeen(string? Snapshot, string? GroundUp, string? Tile, string? GroundDown);
}
