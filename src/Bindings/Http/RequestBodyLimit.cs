using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Skylark.Events.Bindings.Http;

/// <summary>Holds a request body to a size limit so that an oversize event is answered with a 413 its sender reads.</summary>
public static class RequestBodyLimit
{
    /// <summary>
    /// False when the request declares a body larger than <paramref name="maxBytes"/>: answer 413 without touching the
    /// body. Kestrel then drains the unread body after the response, so a sender that writes the whole body before it
    /// reads (most HTTP clients) gets the 413. Tripping the limit while reading instead closes the connection under
    /// the sender, which sees a reset rather than an answer. Otherwise the limit is applied to the read, which covers
    /// chunked bodies that declare no length.
    /// </summary>
    public static bool TryApply(HttpContext context, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength > maxBytes)
        {
            return false;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        return true;
    }
}
