using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Xunit.Abstractions;

namespace Skylark.Events.Tests.Broker.Journal;

/// <summary>
/// The journal's promise under a real crash: the broker runs as a child process, is SIGKILLed while producers are
/// mid-stream and its subscriber is behind, and restarted on the same journal. Every event it answered 202 must reach
/// the subscriber at least once.
/// </summary>
public sealed partial class JournalCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Events = 10_000;
    private const int KillAfterAccepted = 4_000;
    private const int Senders = 32;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly JournalFolder folder = new();
    private readonly ConcurrentDictionary<string, int> deliveries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly HttpClient client = new(new SocketsHttpHandler { MaxConnectionsPerServer = Senders, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private HashSet<string>? awaited;
    private TaskCompletionSource allDelivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication subscriber = null!;
    private BrokerProcess? first;
    private BrokerProcess? second;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        subscriber = builder.Build();
        subscriber.Urls.Add("http://127.0.0.1:0");
        subscriber.MapPost("/", async (HttpContext context) =>
        {
            // Slower than the ingress, so a backlog is queued (and owed) when the broker dies.
            await Task.Delay(3, context.RequestAborted);
            OnDelivered(context.Request.Headers["ce-id"].ToString());
            return Results.Ok();
        });
        await subscriber.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (first is not null)
        {
            await first.DisposeAsync();
        }

        if (second is not null)
        {
            await second.DisposeAsync();
        }

        client.Dispose();
        await subscriber.StopAsync();
        await subscriber.DisposeAsync();
        folder.Dispose();
    }

    [Fact]
    public async Task Every_event_answered_202_before_a_SIGKILL_is_delivered_at_least_once_after_a_restart_on_the_same_journal()
    {
        var eventing = WriteEventing();
        var accepted = new ConcurrentBag<string>();
        var inDoubt = new ConcurrentBag<string>();
        var next = -1;

        // Phase 1: send until the broker dies under us. An event whose request was cut off is in doubt: it may or may
        // not have been journaled, so it is neither counted as accepted nor sent again.
        first = await BrokerProcess.StartAsync(eventing, folder.Path, Generous);
        var acceptedByFirst = 0;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killer = Task.Run(async () =>
        {
            await killed.Task.WaitAsync(Generous);
            first.Kill();
        });
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Events)
            {
                var id = Id(i);
                switch (await SendAsync(first.Url, id))
                {
                    case true:
                        accepted.Add(id);
                        if (Interlocked.Increment(ref acceptedByFirst) == KillAfterAccepted)
                        {
                            killed.TrySetResult();
                        }

                        break;
                    case null:
                        inDoubt.Add(id);
                        return;
                }
            }
        })));
        await killer;
        var stoppedAt = Math.Min(Volatile.Read(ref next) + 1, Events);

        // Phase 2: a new process on the same journal; it owes what the first had not delivered, and takes the rest.
        second = await BrokerProcess.StartAsync(eventing, folder.Path, Generous);
        var resume = stoppedAt - 1;
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref resume)) < Events)
            {
                var id = Id(i);
                Assert.True(await SendAsync(second.Url, id), $"the restarted broker did not answer for {id}");
                accepted.Add(id);
            }
        })));

        var missing = AwaitDeliveries(accepted);
        await allDelivered.Task.WaitAsync(Generous).ContinueWith(_ => { }, TaskScheduler.Default);

        var owed = Recovered(second.Output);
        var duplicates = deliveries.Values.Sum(n => n - 1);
        var inDoubtDelivered = inDoubt.Count(deliveries.ContainsKey);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"events sent: {stoppedAt + (Events - stoppedAt)} (to the first process: {stoppedAt}, to the second: {Events - stoppedAt})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accepted (202): {accepted.Count} (first: {acceptedByFirst}, second: {accepted.Count - acceptedByFirst}); in doubt when killed: {inDoubt.Count} (delivered anyway: {inDoubtDelivered})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"deliveries owed by the journal at restart: {owed}; delivered: {deliveries.Count} distinct event(s), {deliveries.Values.Sum()} request(s), duplicates: {duplicates}"));
        foreach (var line in second.Output.Where(l => l.Contains("Journal", StringComparison.Ordinal)))
        {
            output.WriteLine("restart: " + line);
        }

        Assert.Equal(Events, accepted.Count + inDoubt.Count);
        Assert.InRange(acceptedByFirst, KillAfterAccepted, Events - 1);
        Assert.True(owed > 0, "the crash left nothing owed: the test did not exercise recovery");
        Assert.Empty(missing());
    }

    /// <summary>True: 202. False never (other answers are retried). Null: the connection broke (the broker died).</summary>
    private async Task<bool?> SendAsync(Uri broker, string id)
    {
        var backoff = 2;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(broker, "/test/default"))
            {
                Content = new ByteArrayContent("{\"n\":1}"u8.ToArray()),
            };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
            request.Headers.TryAddWithoutValidation("ce-id", id);
            request.Headers.TryAddWithoutValidation("ce-type", "io.skylark.test");
            request.Headers.TryAddWithoutValidation("ce-source", "/crash-test");
            HttpStatusCode status;
            try
            {
                using var response = await client.SendAsync(request);
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return null;
            }

            if (status == HttpStatusCode.Accepted)
            {
                return true;
            }

            // 429 (queue full) and 503 (recovering): back off and try again, as a well-behaved producer does.
            Assert.True(status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)status} for {id}");
            await Task.Delay(backoff);
            backoff = Math.Min(backoff * 2, 50);
        }
    }

    private void OnDelivered(string id)
    {
        if (deliveries.AddOrUpdate(id, 1, (_, n) => n + 1) != 1)
        {
            return;
        }

        lock (gate)
        {
            if (awaited is not null && awaited.Remove(id) && awaited.Count == 0)
            {
                allDelivered.TrySetResult();
            }
        }
    }

    /// <summary>Starts waiting for every id in <paramref name="ids"/>; returns what is still missing when asked.</summary>
    private Func<IReadOnlyCollection<string>> AwaitDeliveries(IEnumerable<string> ids)
    {
        lock (gate)
        {
            awaited = [.. ids.Where(id => !deliveries.ContainsKey(id))];
            allDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (awaited.Count == 0)
            {
                allDelivered.TrySetResult();
            }
        }

        return () =>
        {
            lock (gate)
            {
                return [.. awaited];
            }
        };
    }

    private string WriteEventing()
    {
        var address = subscriber.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var file = Path.Combine(folder.Path, "..", Path.GetFileName(folder.Path) + ".yaml");
        File.WriteAllText(file, $"""
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata:
              name: default
              namespace: test
            ---
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: slow
              namespace: test
            spec:
              broker: default
              subscriber:
                uri: {address}/
            """);
        return file;
    }

    private static long Recovered(IReadOnlyList<string> lines) =>
        lines.Select(l => OwedDeliveries().Match(l)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).FirstOrDefault();

    private static string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"e{i}");

    [GeneratedRegex(@"(\d+) delivery\(ies\) owed")]
    private static partial Regex OwedDeliveries();
}
