using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Skylark.Events.Lab.Observability;
using Skylark.Events.Lab.Demo;
using Skylark.Events.Lab.Up;
using Skylark.Events.Tests.Support;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Lab.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's headless Chromium driven by Playwright) while a short demo runs on
/// topologies/three-nodes.yaml: every node is drawn, the counters move, a bundle crosses a link, and a workflow's
/// waterfall shows its spans. With SKYLARK_UPDATE_SCREENSHOT=1 it also refreshes docs/dashboard.png. The ground link
/// moving with the snapshots is in DashboardBrowserTests.Snapshots.cs.
/// </summary>
[Collection(EmulatedClusters.Name)]
public sealed partial class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private static readonly TimeSpan PageBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_dashboard_draws_the_constellation_and_follows_the_run_live()
    {
        using var work = new ScratchDirectory();
        var console = new LockedWriter();
        var options = new DemoOptions
        {
            TopologyPath = RepositoryPaths.InRoot("topologies", "three-nodes.yaml"),
            EventingPath = RepositoryPaths.InRoot("eventing"),
            Mode = StateMode.Skylark,
            // Long enough for the browser's checks to run while the cameras film; the dashboard stops with the run.
            Duration = TimeSpan.FromSeconds(15),
            FramesPerSecond = 2,
            Cameras = 1,
            WorkDirectory = work.Path,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var run = new DemoRun(options, NullLoggerFactory.Instance, console).RunAsync(timeout.Token);
        try
        {
            Uri? url = null;
            await Poll.UntilAsync(() => (url = DashboardUrl(console.Text)) is not null || run.IsCompleted, "the demo prints its dashboard's URL", TimeSpan.FromSeconds(90));
            Assert.True(url is not null, $"no dashboard URL printed:\n{console.Text}");
            var browserTime = Stopwatch.StartNew();
            await CheckInBrowserAsync(url);
            output.WriteLine($"Browser checks took {browserTime.Elapsed.TotalSeconds:0.0} s.");
        }
        finally
        {
            var report = await run;
            output.WriteLine(console.Text);
            Assert.True(report.Workflows.Completed > 0, "no workflow completed");
        }
    }

    private async Task CheckInBrowserAsync(Uri url)
    {
        await using var browser = await BrowserPage.OpenAsync(url);
        var page = browser.Page;

        // Every node of the topology, drawn from /api/topology.
        foreach (var node in new[] { "edge", "sat", "cloud" })
        {
            await page.Locator($"[data-node='{node}']").WaitForAsync();
        }

        Assert.Equal(3, await page.Locator("[data-link]").CountAsync());

        // The run's mode is named, and its histogram has its own colour in the legend.
        Assert.Equal("skylark", await page.Locator("#mode").GetAttributeAsync("data-mode"));

        // The counters move: two reads of the completed workflows, the second larger.
        long first = 0;
        await Poll.UntilAsync(async () => (first = await CompletedAsync(page)) > 0, "a workflow completes", PageBound);
        await Poll.UntilAsync(async () => await CompletedAsync(page) > first, "the completed count grows", PageBound);
        await page.Locator("#histogram-legend [data-mode='skylark']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // A propagated bundle travels along its link.
        await page.Locator("[data-link] .bundle").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // A workflow's trace as a waterfall: one bar per span of /api/traces/{id}.
        var item = page.Locator("#workflows li[data-workflow]:has(.state-completed)").First;
        var workflowId = await item.GetAttributeAsync("data-workflow");
        Assert.NotNull(workflowId);
        using var http = new HttpClient { BaseAddress = url };
        var trace = await http.GetFromJsonAsync<TraceView>($"api/traces/{Uri.EscapeDataString(workflowId)}");
        Assert.NotNull(trace);
        Assert.Equal(workflowId, trace.WorkflowId);

        // The services' own spans, one trace: the broker's deliveries and the first function's handling among them.
        Assert.Contains(trace.Spans, s => s.Name == "preprocess process");
        Assert.Contains(trace.Spans, s => s.Service == "Broker");
        await item.ClickAsync();
        await page.Locator("#waterfall .span-bar").Nth(trace.Spans.Count - 1).WaitForAsync();
        Assert.Equal(trace.Spans.Count, await page.Locator("#waterfall .span-bar").CountAsync());

        if (Environment.GetEnvironmentVariable("SKYLARK_UPDATE_SCREENSHOT") == "1")
        {
            // Wait for a moment with a bundle on a link, so the picture shows one.
            await page.Locator("[data-link] .bundle").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = RepositoryPaths.InRoot("docs", "dashboard.png") });
            output.WriteLine("Updated docs/dashboard.png.");
        }
    }

    /// <summary>Debian's Chromium with a scratch profile, one page open at the dashboard; all of it gone on dispose.</summary>
    private sealed class BrowserPage : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly ScratchDirectory _profile;
        private readonly IBrowserContext _browser;

        private BrowserPage(IPlaywright playwright, ScratchDirectory profile, IBrowserContext browser, IPage page)
        {
            _playwright = playwright;
            _profile = profile;
            _browser = browser;
            Page = page;
        }

        public IPage Page { get; }

        public static async Task<BrowserPage> OpenAsync(Uri url)
        {
            var playwright = await Playwright.CreateAsync();
            var profile = new ScratchDirectory();
            IBrowserContext? browser = null;
            try
            {
                browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new BrowserTypeLaunchPersistentContextOptions
                {
                    ExecutablePath = Chromium,
                    Headless = true,
                    Args = ChromiumArgs,
                    ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
                });
                var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
                page.SetDefaultTimeout((float)PageBound.TotalMilliseconds);
                await page.GotoAsync(url.ToString());
                return new BrowserPage(playwright, profile, browser, page);
            }
            catch
            {
                if (browser is not null)
                {
                    await browser.DisposeAsync();
                }

                playwright.Dispose();
                profile.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
            _profile.Dispose();
        }
    }

    private static async Task<long> CompletedAsync(IPage page)
    {
        var text = await page.Locator("#t-workflows").InnerTextAsync();
        var completed = text.Split('/')[0].Trim();
        return long.TryParse(completed, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private static Uri? DashboardUrl(string console) =>
        DashboardLine().Match(console) is { Success: true } match ? new Uri(match.Groups[1].Value) : null;

    [GeneratedRegex(@"Dashboard: (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex DashboardLine();

    /// <summary>The demo's console, written by the run and read by the test at the same time.</summary>
    private sealed class LockedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                _text.Append(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                _text.Append(buffer, index, count);
            }
        }
    }
}
