using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Bindings;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// Follows a <c>dead-letters</c> service through its API (<c>GET /dead-letters?after=</c>), as an operator's tool
/// would: each dead letter stored after the feed started is reported once, in order. Records already in the log
/// when it starts (an earlier run's) are skipped.
/// </summary>
public sealed partial class DeadLetterFeed : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly HttpClient _http;
    private readonly Uri _list;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _reading = new(1, 1);
    private Task _loop = Task.CompletedTask;
    private long _after;
    private long _received;

    private DeadLetterFeed(Uri service, ILogger logger)
    {
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        _list = new Uri(service, "dead-letters");
        _logger = logger;
    }

    /// <summary>Raised once for each new dead letter, with the event as it was dead-lettered.</summary>
    public event EventHandler<CloudEvent>? Stored;

    /// <summary>Starts following <paramref name="service"/>, after the records it holds now.</summary>
    public static async Task<DeadLetterFeed> StartAsync(Uri service, ILogger logger, CancellationToken cancellationToken)
    {
        var feed = new DeadLetterFeed(service, logger);
        using var page = await feed.PageAsync(after: 0, limit: 1, cancellationToken).ConfigureAwait(false);
        feed._after = page.RootElement.GetProperty("count").GetInt64();
        feed._loop = Task.Run(() => feed.FollowAsync(feed._stopping.Token), CancellationToken.None);
        return feed;
    }

    /// <summary>Dead letters stored since the feed started, up to date as of this call.</summary>
    public async Task<long> ReceivedAsync(CancellationToken cancellationToken)
    {
        await ReadNewAsync(cancellationToken).ConfigureAwait(false);
        return Interlocked.Read(ref _received);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
        _reading.Dispose();
        _http.Dispose();
    }

    private async Task FollowAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await ReadNewAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception error) when (!stopping.IsCancellationRequested && error is HttpRequestException or JsonException or OperationCanceledException or InvalidOperationException)
            {
                // The service may be restarting; its log keeps the records, so the next read catches up.
                LogUnreadable(_list, error.Message);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(Interval, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadNewAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                using var page = await PageAsync(_after, limit: 100, cancellationToken).ConfigureAwait(false);
                foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
                {
                    _after = item.GetProperty("sequence").GetInt64();
                    var cloudEvent = RawDataJsonEventFormatter.Instance.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(item.GetProperty("event").GetRawText()), null, null);
                    Interlocked.Increment(ref _received);
                    Stored?.Invoke(this, cloudEvent);
                }

                if (page.RootElement.GetProperty("next").ValueKind == JsonValueKind.Null)
                {
                    return;
                }
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<JsonDocument> PageAsync(long after, int limit, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri($"{_list}?after={after}&limit={limit}"), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The dead letters at {List} could not be read: {Reason}")]
    private partial void LogUnreadable(Uri list, string reason);
}
