using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Skylark.Events.Hosting;

namespace Skylark.Events.Tests.Hosting;

public sealed class ServiceHealthTests
{
    [Fact]
    public async Task Liveness_runs_no_check_and_readiness_fails_with_the_reason_while_a_dependency_is_down()
    {
        var dependency = new SwitchableCheck();
        await using var app = await StartAsync(services => services
            .AddSingleton(dependency)
            .AddReadinessCheck<SwitchableCheck>("redis")
            .AddReadinessCheck<SwitchableCheck>("redis"));
        using var client = Client(app);

        dependency.Down = true;
        using var alive = await client.GetAsync("/healthz");
        using var notReady = await client.GetAsync("/readyz");
        dependency.Down = false;
        using var ready = await client.GetAsync("/readyz");

        Assert.Equal((HttpStatusCode.OK, "ok"), (alive.StatusCode, await alive.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready\nredis: PING refused"), (notReady.StatusCode, await notReady.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "ok"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(2, dependency.Calls);
    }

    [Fact]
    public async Task Two_services_in_one_app_share_one_health_and_one_metrics_endpoint()
    {
        await using var app = await StartAsync(
            services => services.AddServiceMetrics("Test.First").AddServiceMetrics("Test.Second"),
            app =>
            {
                app.MapServiceEndpoints();
                app.MapServiceEndpoints();
            });
        using var client = Client(app);

        using var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_served_in_the_Prometheus_text_format_and_the_in_process_totals_read_the_same_measurements()
    {
        await using var app = await StartAsync(services => services.AddServiceMetrics("Test.Sink"));
        var meter = app.Services.GetRequiredService<IMeterFactory>().Create("Test.Sink");
        using var totals = new MeterTotals(meter);
        var pulled = meter.CreateCounter<long>("skylark.test.pulled.bytes", "By");
        var duration = meter.CreateHistogram<double>("skylark.test.pull.duration", "s");
        using var client = Client(app);

        pulled.Add(1_000, new KeyValuePair<string, object?>("outcome", "ok"));
        pulled.Add(24, new KeyValuePair<string, object?>("outcome", "failed"));
        duration.Record(0.25);
        duration.Record(0.75);
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("skylark_test_pulled_bytes_total{otel_scope_name=\"Test.Sink\",outcome=\"ok\"} 1000", text, StringComparison.Ordinal);
        Assert.Contains("skylark_test_pull_duration_seconds_count{otel_scope_name=\"Test.Sink\"} 2", text, StringComparison.Ordinal);
        Assert.Equal((1_024L, 1_000L, 2L, 0.75), (totals.Sum("skylark.test.pulled.bytes"), totals.Sum("skylark.test.pulled.bytes", ("outcome", "ok")), totals.Count("skylark.test.pull.duration"), totals.Max("skylark.test.pull.duration")));
    }

    [Fact]
    public async Task Each_app_in_a_process_serves_only_its_own_recordings_at_metrics()
    {
        await using var first = await StartAsync(services => services.AddServiceMetrics("Test.Node"));
        await using var second = await StartAsync(services => services.AddServiceMetrics("Test.Node"));
        first.Services.GetRequiredService<IMeterFactory>().Create("Test.Node").CreateCounter<long>("skylark.test.pulls").Add(3);
        second.Services.GetRequiredService<IMeterFactory>().Create("Test.Node").CreateCounter<long>("skylark.test.pulls").Add(5);
        using var firstClient = Client(first);
        using var secondClient = Client(second);

        var firstText = await firstClient.GetStringAsync("/metrics");
        var secondText = await secondClient.GetStringAsync("/metrics");

        Assert.Contains("skylark_test_pulls_total{otel_scope_name=\"Test.Node\"} 3", firstText, StringComparison.Ordinal);
        Assert.Contains("skylark_test_pulls_total{otel_scope_name=\"Test.Node\"} 5", secondText, StringComparison.Ordinal);
        Assert.Equal(1, firstText.Split('\n').Count(line => line.StartsWith("skylark_test_pulls_total", StringComparison.Ordinal)));
        Assert.Equal(1, secondText.Split('\n').Count(line => line.StartsWith("skylark_test_pulls_total", StringComparison.Ordinal)));
    }

    [Fact]
    public void Totals_of_one_meter_do_not_count_another_meter_of_the_same_name()
    {
        using var first = new Meter("Test.Same");
        using var second = new Meter("Test.Same");
        using var totals = new MeterTotals(first);

        first.CreateCounter<long>("skylark.test.events").Add(3);
        second.CreateCounter<long>("skylark.test.events").Add(40);

        Assert.Equal(3, totals.Sum("skylark.test.events"));
    }

    private static async Task<WebApplication> StartAsync(Action<IServiceCollection> configure, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddServiceHealth().AddServiceMetrics("Test.Service");
        configure(builder.Services);
        var app = builder.Build();
        (map ?? (a => a.MapServiceEndpoints()))(app);
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) => new()
    {
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()),
    };

    private sealed class SwitchableCheck : IHealthCheck
    {
        private int _calls;

        public bool Down { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(Down ? HealthCheckResult.Unhealthy("PING refused") : HealthCheckResult.Healthy());
        }
    }
}
