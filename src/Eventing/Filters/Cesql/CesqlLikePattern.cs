namespace Skylark.Events.Eventing.Filters.Cesql;

/// <summary>
/// A compiled LIKE pattern (spec 3.4.3): <c>%</c> matches any run of characters, <c>_</c> exactly one;
/// <c>\%</c> and <c>\_</c> match themselves, and any other backslash is an ordinary character. Matching is
/// case-sensitive and counts a surrogate pair as one character.
/// </summary>
internal sealed class CesqlLikePattern
{
    private const char AnyRun = '\0';
    private const char AnyOne = '\u0001';

    // Each element is a literal UTF-16 unit, or one of the two wildcard markers flagged in _isWildcard.
    private readonly char[] _elements;
    private readonly bool[] _isWildcard;

    public CesqlLikePattern(string pattern)
    {
        Text = pattern;
        var elements = new List<char>(pattern.Length);
        var wildcard = new List<bool>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_')
            {
                elements.Add(pattern[++i]);
                wildcard.Add(false);
            }
            else if (c is '%' or '_')
            {
                elements.Add(c == '%' ? AnyRun : AnyOne);
                wildcard.Add(true);
            }
            else
            {
                elements.Add(c);
                wildcard.Add(false);
            }
        }

        _elements = [.. elements];
        _isWildcard = [.. wildcard];
    }

    public string Text { get; }

    /// <summary>Greedy matching that backtracks only to the last <c>%</c>: linear in practice, never exponential.</summary>
    public bool IsMatch(string text)
    {
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < _elements.Length && _isWildcard[p] && _elements[p] == AnyRun)
            {
                starP = p++;
                starT = t;
                continue;
            }

            if (p < _elements.Length && _isWildcard[p])
            {
                t += CharacterWidth(text, t);
                p++;
                continue;
            }

            if (p < _elements.Length && _elements[p] == text[t])
            {
                t++;
                p++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP + 1;
            starT += CharacterWidth(text, starT);
            t = starT;
        }

        while (p < _elements.Length && _isWildcard[p] && _elements[p] == AnyRun)
        {
            p++;
        }

        return p == _elements.Length;
    }

    private static int CharacterWidth(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
}
