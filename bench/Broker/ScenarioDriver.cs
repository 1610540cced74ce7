using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Lab.Observability;

namespace Skylark.Events.Benchmarks.Broker;

// What every broker benchmark scenario is started, driven and measured with, in one place so that the scenarios
// differ only in the apps they start.
internal static class ScenarioDriver
{
    public const string Namespace = "bench";
    public const string BrokerName = "default";

    public static async Task<BenchmarkScenario> MeasureAloneAsync(RunningScenario run, HttpClient client, byte[] payload, BrokerBenchmarkOptions options, CancellationToken ct)
    {
        await WarmUpAsync(run, client, payload, options, ct);
        for (var rep = 1; rep <= options.Repetitions; rep++)
        {
            await run.MeasureAsync(client, payload, rep, options.Events, options.Concurrency, ct);
        }

        return run.Result();
    }

    /// <summary>
    /// Warm-up rounds of <see cref="BrokerBenchmarkOptions.WarmupEvents"/> until <see cref="BrokerBenchmarkOptions.WarmupDuration"/>
    /// has passed: tiered compilation (with dynamic PGO) needs time, not just calls, to finish compiling a hot path,
    /// and a fixed event count left the broker's larger path mid tier-up when repetitions were short.
    /// </summary>
    public static async Task WarmUpAsync(RunningScenario scenario, HttpClient client, byte[] payload, BrokerBenchmarkOptions options, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            await scenario.SendAsync(client, payload, 0, options.WarmupEvents, options.Concurrency, ct);
        }
        while (Stopwatch.GetElapsedTime(started) < options.WarmupDuration);
    }

    public static async Task<SendResult> SendAllAsync(
        HttpClient client, Uri target, byte[] payload, int rep, int events, int concurrency, DeliveryProbe? probe, CancellationToken ct, string? bearerToken = null)
    {
        var authorization = bearerToken is null ? null : new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        var roundTrips = new long[events];
        var next = -1;
        var throttled = 0;
        var startedAt = Stopwatch.GetTimestamp();

        async Task SenderAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{rep}.{i}");
                var begin = Stopwatch.GetTimestamp();
                probe?.OnSending(i, begin);
                var backoff = 1;
                while (true)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(payload) };
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                    request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
                    request.Headers.TryAddWithoutValidation("ce-id", id);
                    request.Headers.TryAddWithoutValidation("ce-type", "io.skylark.bench");
                    request.Headers.TryAddWithoutValidation("ce-source", "/bench");
                    request.Headers.Authorization = authorization;
                    using var response = await client.SendAsync(request, ct);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        break;
                    }

                    if (response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        throw new InvalidOperationException($"{target} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                    }

                    // A full Trigger queue: back off (1, 2, 4 … 32 ms), as a producer honouring 429 would.
                    Interlocked.Increment(ref throttled);
                    await Task.Delay(backoff, ct);
                    backoff = Math.Min(backoff * 2, 32);
                }

                roundTrips[i] = Stopwatch.GetTimestamp() - begin;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(SenderAsync, ct)));
        return new SendResult(startedAt, Stopwatch.GetElapsedTime(startedAt), roundTrips, throttled);
    }

    public static (double P50, double P99) Percentiles(long[] ticks)
    {
        if (ticks.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        var sorted = (long[])ticks.Clone();
        Array.Sort(sorted);
        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
        return (At(0.50), At(0.99));
    }

    public static HttpClient CreateClient(int concurrency) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromMinutes(1),
        };

    public static async Task<RunningApp> StartAsync(Action<WebApplication> map, CancellationToken ct, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        map(app);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningApp(app, new Uri(address));
    }

    public static byte[] Payload(int bytes)
    {
        // A JSON string of the requested size: {"d":"xxxx…"}.
        var filler = Math.Max(0, bytes - 8);
        return System.Text.Encoding.UTF8.GetBytes("{\"d\":\"" + new string('x', filler) + "\"}");
    }
}

internal sealed record SendResult(long StartedAt, TimeSpan Elapsed, long[] RoundTrips, int Throttled);

/// <summary>
/// One scenario's running apps and the repetitions measured so far. With a probe, a repetition lasts until every
/// expected delivery reached the subscriber; without one (the bare endpoint), until every request was answered.
/// </summary>
internal sealed class RunningScenario(string name, int triggers, bool journaled, Uri target, DeliveryProbe? probe, IReadOnlyList<IAsyncDisposable> resources)
    : IAsyncDisposable
{
    private readonly List<BenchmarkRepetition> repetitions = [];

    /// <summary>Sent with every event when the receiver verifies senders.</summary>
    public string? BearerToken { get; init; }

    /// <summary>True when the broker verified every sender's token and applied an EventPolicy.</summary>
    public bool Verified { get; init; }

    /// <summary>
    /// Set when every send (warm-up included) runs with a <see cref="TraceStore"/> listening, so the broker starts its
    /// spans and records those sampled, as under <c>skylark up</c>; the store listens process-wide, so only while this
    /// scenario sends.
    /// </summary>
    public ScenarioTracing? Tracing { get; init; }

    /// <summary>The most traces a traced repetition left in its store: evidence that spans were recorded.</summary>
    public int TracesKept { get; private set; }

    /// <summary>New traces the traced repetitions' samplers did not record (beyond their rate).</summary>
    public long TracesNotSampled { get; private set; }

    public async Task<SendResult> SendAsync(HttpClient client, byte[] payload, int rep, int events, int concurrency, CancellationToken ct)
    {
        using var spans = Tracing is { } tracing ? new TraceStore(sampler: new TraceSampler(tracing.TracesPerSecond)) : null;
        probe?.Reset(rep, events, triggers);
        var sent = await ScenarioDriver.SendAllAsync(client, target, payload, rep, events, concurrency, probe, ct, BearerToken);
        if (probe is not null)
        {
            await probe.Completed.WaitAsync(TimeSpan.FromMinutes(2), ct);
        }

        TracesKept = Math.Max(TracesKept, spans?.Count ?? 0);
        TracesNotSampled += spans?.Sampler.NotSampled ?? 0;
        return sent;
    }

    public async Task MeasureAsync(HttpClient client, byte[] payload, int rep, int events, int concurrency, CancellationToken ct)
    {
        var sent = await SendAsync(client, payload, rep, events, concurrency, ct);
        var requests = ScenarioDriver.Percentiles(sent.RoundTrips);
        if (probe is null)
        {
            repetitions.Add(new BenchmarkRepetition(
                events, 0, sent.Elapsed, events / sent.Elapsed.TotalSeconds, requests.P50, requests.P99, requests.P50, requests.P99, sent.Throttled));
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(sent.StartedAt, probe.LastDeliveryAt);
        var latency = ScenarioDriver.Percentiles(probe.Latencies);
        repetitions.Add(new BenchmarkRepetition(
            events, events * triggers, elapsed, events / elapsed.TotalSeconds, latency.P50, latency.P99, requests.P50, requests.P99, sent.Throttled));
    }

    public BenchmarkScenario Result() => new(name, triggers, [.. repetitions], journaled)
    {
        Verified = Verified,
        Traced = Tracing is not null,
        TracesPerSecond = Tracing?.TracesPerSecond,
        TracesKept = TracesKept,
        TracesNotSampled = TracesNotSampled,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var resource in resources)
        {
            await resource.DisposeAsync();
        }
    }
}

internal sealed class RunningApp(WebApplication app, Uri url) : IAsyncDisposable
{
    public Uri Url { get; } = url;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>Matches subscriber arrivals to send times by event id (<c>rep.index</c>).</summary>
internal sealed class DeliveryProbe
{
    private long[] sentAt = [];
    private int rep;
    private int expected;
    private int delivered;
    private int recorded;
    private TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long[] Latencies { get; private set; } = [];

    public long LastDeliveryAt { get; private set; }

    public Task Completed => completed.Task;

    public void Reset(int repetition, int events, int triggers)
    {
        rep = repetition;
        sentAt = new long[events];
        Latencies = new long[events * triggers];
        expected = events * triggers;
        delivered = 0;
        recorded = 0;
        completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void OnSending(int index, long timestamp) => Volatile.Write(ref sentAt[index], timestamp);

    public void OnDelivered(string id)
    {
        var now = Stopwatch.GetTimestamp();
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0
            || !int.TryParse(id.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var r) || r != rep
            || !int.TryParse(id.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return;
        }

        var slot = Interlocked.Increment(ref delivered) - 1;
        if (slot >= expected)
        {
            return;
        }

        Latencies[slot] = now - Volatile.Read(ref sentAt[index]);
        if (Interlocked.Increment(ref recorded) == expected)
        {
            LastDeliveryAt = now;
            completed.TrySetResult();
        }
    }
}

/// <summary>How a traced scenario samples: at most <see cref="TracesPerSecond"/> new traces a second, or every one (null).</summary>
internal sealed record ScenarioTracing(double? TracesPerSecond);
