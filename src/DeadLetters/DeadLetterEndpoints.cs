using System.Globalization;
using System.Text.Json;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Options;
using Skylark.Events.Bindings;
using Skylark.Events.Bindings.Http;

namespace Skylark.Events.DeadLetters;

/// <summary>
/// <c>POST</c>: a dead letter as the broker delivers it (a CloudEvent in binary or structured mode), answered 201 once
/// it is on disk; 400 when it is not a CloudEvent, 413 when too large, 503 while the log cannot take it.
/// <c>GET /dead-letters</c>: the records, oldest first, a page at a time.
/// </summary>
public sealed partial class DeadLetterEndpoints
{
    private readonly DeadLetterLog _log;
    private readonly DeadLetterMetrics _metrics;
    private readonly DeadLetterOptions _options;
    private readonly ILogger<DeadLetterEndpoints> _logger;

    public DeadLetterEndpoints(DeadLetterLog log, DeadLetterMetrics metrics, IOptions<DeadLetterOptions> options, ILogger<DeadLetterEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _options = options.Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public async Task AppendAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (_log.UnavailableReason is { } unavailable)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "unavailable", unavailable).ConfigureAwait(false);
            return;
        }

        if (!RequestBodyLimit.TryApply(context, _options.MaxEventBytes))
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", TooLarge()).ConfigureAwait(false);
            return;
        }

        // Refused before the body is read: a full queue should not also fill memory with request bodies.
        if (_log.IsFull)
        {
            await BusyAsync(context, "Dead letters are waiting for the disk; try again shortly.").ConfigureAwait(false);
            return;
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidCloudEventException error)
        {
            LogInvalid(error.Message);
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid", error.Message).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", TooLarge()).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException error)
        {
            await RefuseAsync(context, error.StatusCode, "invalid", error.Message).ConfigureAwait(false);
            return;
        }

        DeadLetter stored;
        try
        {
            stored = await _log.AppendAsync(cloudEvent, context.RequestAborted).ConfigureAwait(false);
        }
        catch (DeadLetterLogBusyException busy)
        {
            await BusyAsync(context, busy.Message).ConfigureAwait(false);
            return;
        }
        catch (DeadLetterLogUnavailableException error)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "unavailable", error.Message).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteNumber("sequence", stored.Sequence);
        writer.WriteEndObject();
    }

    /// <summary><c>GET /dead-letters?after=&lt;sequence&gt;&amp;limit=&lt;n&gt;</c>: <c>{"count", "items", "next"}</c>, see docs/dead-letters.md.</summary>
    public async Task ListAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = context.Request.Query;
        if (!TryParse(query["after"], 0, long.MaxValue, 0, out var after))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"after must be a sequence number (a whole number from 0); got '{query["after"]}'.").ConfigureAwait(false);
            return;
        }

        if (!TryParse(query["limit"], 1, _options.MaxPageSize, _options.DefaultPageSize, out var limit))
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"limit must be a whole number from 1 to {_options.MaxPageSize}; got '{query["limit"]}'.").ConfigureAwait(false);
            return;
        }

        LogCursor cursor;
        try
        {
            cursor = _log.ReadAfter(after);
        }
        catch (DeadLetterLogUnavailableException error)
        {
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, error.Message).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteNumber("count", cursor.Total);
        writer.WriteStartArray("items");
        long returned = 0, bytes = 0;
        await foreach (var line in cursor.ReadAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (returned == limit || (returned > 0 && bytes + line.Length > _options.MaxPageBytes))
            {
                break;
            }

            // Each line was checked when the log opened or written by this process: it is one JSON object already.
            writer.WriteRawValue(line.Span, skipInputValidation: true);
            returned++;
            bytes += line.Length;
            if (writer.BytesPending > 64 * 1024)
            {
                await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        if (returned < cursor.Available)
        {
            writer.WriteNumber("next", cursor.FirstSequence + returned - 1);
        }
        else
        {
            writer.WriteNull("next");
        }

        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static bool TryParse(string? text, long minimum, long maximum, long fallback, out long value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= minimum && value <= maximum;
    }

    private string TooLarge() => $"The dead letter is larger than this service's limit of {_options.MaxEventBytes} bytes.";

    private Task BusyAsync(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(_options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "busy", message);
    }

    private Task RefuseAsync(HttpContext context, int status, string reason, string message)
    {
        _metrics.RecordRejected(reason);
        return TextAsync(context, status, message);
    }

    private static Task TextAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a request that is not a valid CloudEvent: {Reason}")]
    private partial void LogInvalid(string reason);
}
