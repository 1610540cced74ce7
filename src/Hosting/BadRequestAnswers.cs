using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Skylark.Events.Hosting;

/// <summary>
/// Answers a request that Kestrel finds malformed while the app reads its body — too slow (408), too large (413), bad
/// chunking or cut short (400) — with its status and a one-line text saying what was wrong, and logs it as one line.
/// Left to Kestrel, such an exception is an unhandled application error: an empty answer and an error with a stack
/// trace in the log, which any slow client could repeat at will.
/// </summary>
/// <remarks>
/// What Kestrel refuses before the app runs (a malformed request line or header, headers too large or too slow to
/// arrive) it answers itself with an empty body; ASP.NET Core has no hook for those answers.
/// </remarks>
public static partial class BadRequestAnswers
{
    /// <summary>Registers the answers first in every app built from <paramref name="services"/>, once however often asked.</summary>
    public static IServiceCollection AddBadRequestAnswers(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, StartupFilter>());
        return services;
    }

    /// <summary>The body of an answer to a request refused with <paramref name="status"/> because of <paramref name="reason"/>.</summary>
    public static string Text(int status, string reason) =>
        string.Create(CultureInfo.InvariantCulture, $"{status} {ReasonPhrases.GetReasonPhrase(status)}: {reason}\n");

    private static async Task AnswerAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException error)
        {
            LogRefused(logger, context.Request.Method, context.Request.Path.Value, context.Connection.RemoteIpAddress?.ToString(), error.StatusCode, error.Message);
            if (context.Response.HasStarted)
            {
                // Part of an answer is out; ending it normally would pass it off as complete.
                context.Abort();
                return;
            }

            var text = Encoding.UTF8.GetBytes(Text(error.StatusCode, error.Message));
            context.Response.Clear();
            context.Response.StatusCode = error.StatusCode;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.ContentLength = text.Length;

            // What is left of a malformed body cannot be skipped reliably, so the connection ends with this answer.
            context.Response.Headers.Connection = "close";
            try
            {
                await context.Response.Body.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; there is nobody to tell.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} from {Client} refused with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string? path, string? client, int status, string reason);

    private sealed class StartupFilter(ILoggerFactory loggers) : IStartupFilter
    {
        private readonly ILogger logger = loggers.CreateLogger(typeof(BadRequestAnswers).FullName!);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) => AnswerAsync(context, inner, logger));
            next(app);
        };
    }
}
