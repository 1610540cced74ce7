using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.Tests.Support;

/// <summary>One request a <see cref="TestSubscriber"/> received: the event it carried (or why it was not one) and its headers.</summary>
public sealed record ReceivedRequest(int Index, CloudEvent? Event, string? Error, IReadOnlyDictionary<string, string> Headers, string Path)
{
    public CloudEvent CloudEvent => Event ?? throw new InvalidOperationException($"Request {Index} was not a CloudEvent: {Error}");

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>An extension's value in its string form, null when absent.</summary>
    public string? Extension(string name) =>
        CloudEvent.GetAttribute(name) is { } attribute && CloudEvent[attribute] is { } value ? attribute.Format(value) : null;
}

/// <summary>How a <see cref="TestSubscriber"/> answers one request.</summary>
public sealed record SubscriberResponse(int Status = 200)
{
    public static SubscriberResponse Ok { get; } = new();

    public byte[]? Body { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A CloudEvent to answer with, in <see cref="ReplyMode"/>.</summary>
    public CloudEvent? Reply { get; init; }

    public ContentMode ReplyMode { get; init; } = ContentMode.Binary;

    /// <summary>Held until this completes (or the subscriber stops, or the caller gives up) before answering.</summary>
    public Task? WaitFor { get; init; }

    public static SubscriberResponse WithStatus(int status, string? body = null) =>
        new(status) { Body = body is null ? null : System.Text.Encoding.UTF8.GetBytes(body), ContentType = body is null ? null : "text/plain" };

    public static SubscriberResponse Replying(CloudEvent reply, ContentMode mode = ContentMode.Binary) => new() { Reply = reply, ReplyMode = mode };

    public static SubscriberResponse HeldUntil(Task release) => new() { WaitFor = release };
}

/// <summary>
/// A real HTTP subscriber on Kestrel (127.0.0.1, ephemeral port) that records every CloudEvent it receives and answers
/// as a script says, request by request.
/// </summary>
public sealed class TestSubscriber : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<ReceivedRequest> received = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> waiters = [];
    private readonly CancellationTokenSource stopping = new();
    private Func<ReceivedRequest, SubscriberResponse> respond;

    private TestSubscriber(WebApplication app, Func<ReceivedRequest, SubscriberResponse> respond)
    {
        this.app = app;
        this.respond = respond;
    }

    public Uri Url { get; private set; } = null!;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return received.Count;
            }
        }
    }

    public IReadOnlyList<ReceivedRequest> Received
    {
        get
        {
            lock (gate)
            {
                return [.. received];
            }
        }
    }

    /// <summary>Starts a subscriber answering 200 with no body unless <paramref name="respond"/> says otherwise.</summary>
    public static async Task<TestSubscriber> StartAsync(Func<ReceivedRequest, SubscriberResponse>? respond = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var subscriber = new TestSubscriber(app, respond ?? (_ => SubscriberResponse.Ok));
        app.Run(subscriber.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        subscriber.Url = new Uri(address);
        return subscriber;
    }

    /// <summary>Replaces the script for requests from now on.</summary>
    public void RespondWith(Func<ReceivedRequest, SubscriberResponse> script)
    {
        ArgumentNullException.ThrowIfNull(script);
        lock (gate)
        {
            respond = script;
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived; fails after <paramref name="timeout"/> (10 s).</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        Task signal;
        lock (gate)
        {
            if (received.Count >= count)
            {
                return [.. received];
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, waiter));
            signal = waiter.Task;
        }

        var limit = timeout ?? TimeSpan.FromSeconds(10);
        try
        {
            await signal.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Subscriber {Url} received {Count} request(s) within {limit}, expected {count}.");
        }

        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        CloudEvent? cloudEvent = null;
        string? error = null;
        try
        {
            cloudEvent = await context.Request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, context.RequestAborted);
        }
        catch (InvalidCloudEventException e)
        {
            error = e.Message;
        }

        ReceivedRequest request;
        Func<ReceivedRequest, SubscriberResponse> script;
        lock (gate)
        {
            request = new ReceivedRequest(received.Count, cloudEvent, error, headers, context.Request.Path);
            received.Add(request);
            script = respond;
            foreach (var waiter in waiters.Where(w => received.Count >= w.Count).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }
        }

        var response = script(request);
        if (response.WaitFor is { } hold)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, context.RequestAborted);
            try
            {
                await hold.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        await WriteAsync(context.Response, response);
    }

    private static async Task WriteAsync(HttpResponse httpResponse, SubscriberResponse response)
    {
        httpResponse.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            httpResponse.Headers[name] = value;
        }

        if (response.Reply is { } reply)
        {
            await reply.CopyToHttpResponseAsync(httpResponse, response.ReplyMode, RawDataJsonEventFormatter.Instance);
            return;
        }

        if (response.Body is { } body)
        {
            if (response.ContentType is { } contentType)
            {
                httpResponse.ContentType = contentType;
            }

            await httpResponse.Body.WriteAsync(body);
        }
    }
}
