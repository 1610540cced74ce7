using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Http.Headers;

namespace Skylark.Events.StateSink.Peer;

/// <summary>A bundle's entity tag is its version, quoted (<c>"3"</c>): versions only grow, so equal tags mean equal content.</summary>
public static class BundleETag
{
    public static EntityTagHeaderValue For(long version) => new($"\"{version.ToString(CultureInfo.InvariantCulture)}\"");

    public static string Format(long version) => For(version).ToString();

    public static bool TryParse(EntityTagHeaderValue? tag, out long version)
    {
        version = 0;
        return tag is not null && TryParse(tag.Tag, out version);
    }

    /// <summary>Parses <c>"3"</c> (also weak <c>W/"3"</c>, whose content is the same for our purposes).</summary>
    public static bool TryParse([NotNullWhen(true)] string? tag, out long version)
    {
        version = 0;
        if (tag is null)
        {
            return false;
        }

        var text = tag.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        return text.Length >= 3 && text[0] == '"' && text[^1] == '"'
            && long.TryParse(text.AsSpan(1, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version >= 1;
    }
}
