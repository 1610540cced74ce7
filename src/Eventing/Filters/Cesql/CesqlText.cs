namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// Character arithmetic for the string functions. CESQL strings are sequences of Unicode characters, so a surrogate
/// pair counts as one character; strings without surrogates take the direct UTF-16 path.
/// </summary>
internal static class CesqlText
{
    public static int Length(string text)
    {
        if (!HasSurrogates(text))
        {
            return text.Length;
        }

        var count = 0;
        for (var i = 0; i < text.Length; i += Width(text, i))
        {
            count++;
        }

        return count;
    }

    /// <summary>The characters [start, start + count) by character index; both already within range.</summary>
    public static string Slice(string text, int start, int count)
    {
        if (!HasSurrogates(text))
        {
            return text.Substring(start, count);
        }

        var from = Utf16Offset(text, 0, start);
        var to = Utf16Offset(text, from, count);
        return text[from..to];
    }

    private static int Utf16Offset(string text, int from, int characters)
    {
        var offset = from;
        for (var n = 0; n < characters && offset < text.Length; n++)
        {
            offset += Width(text, offset);
        }

        return offset;
    }

    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    private static int Width(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
}
