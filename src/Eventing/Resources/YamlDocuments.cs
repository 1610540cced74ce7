using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// One YAML document of a file: its 0-based index in the file, its root node, and the number of file lines before
/// the text it was parsed from (node marks count from that text, errors must name lines of the file).
/// </summary>
internal sealed record YamlDocumentEntry(int Index, YamlNode Root, int LineOffset);

/// <summary>Splits a multi-document YAML text into documents, reporting syntax errors without stopping at the first.</summary>
internal static class YamlDocuments
{
    /// <summary>
    /// Parses every document on its own, so a syntax error is reported against its document and line and does not
    /// hide the problems of the documents after it. Splitting at <c>---</c> lines is safe: YAML forbids a line
    /// starting with <c>---</c> inside any scalar, so such a line always starts a document.
    /// </summary>
    public static IReadOnlyList<YamlDocumentEntry> Parse(string file, string text, ICollection<ResourceError> errors)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var documents = new List<YamlDocumentEntry>();
        var index = 0;
        foreach (var (start, end) in Chunks(lines))
        {
            // Text before the first "---" is a document only if it has content (not just comments or directives).
            if (!IsDocumentMarker(lines[start]) && !HasContent(lines, start, end))
            {
                continue;
            }

            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(string.Join('\n', lines[start..end])));
            }
            catch (YamlException e)
            {
                // Errors found at the end of input (an unclosed bracket) point past the chunk; name its last line.
                var line = Math.Min(start + (int)Math.Max(e.Start.Line, 1), end);
                errors.Add(new ResourceError(file, index, string.Empty, $"YAML syntax error at line {line}, column {e.Start.Column}: {e.Message}")
                {
                    Line = line,
                });
                index++;
                continue;
            }

            if (stream.Documents.Count == 0)
            {
                // A "---" followed only by comments: an empty document, which still takes an index.
                index++;
                continue;
            }

            // More than one only when a "..." end marker is followed by a bare document inside the chunk.
            foreach (var document in stream.Documents)
            {
                documents.Add(new YamlDocumentEntry(index++, document.RootNode, start));
            }
        }

        return documents;
    }

    /// <summary>True for documents that hold nothing (a bare <c>---</c>, or <c>null</c>), which are skipped.</summary>
    public static bool IsEmpty(YamlNode root) => root is YamlScalarNode scalar && YamlScalars.IsNull(scalar);

    /// <summary>[start, end) line ranges, each beginning at a document marker except possibly the first.</summary>
    private static IEnumerable<(int Start, int End)> Chunks(string[] lines)
    {
        var start = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            if (IsDocumentMarker(lines[i]))
            {
                yield return (start, i);
                start = i;
            }
        }

        yield return (start, lines.Length);
    }

    private static bool HasContent(string[] lines, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            var line = lines[i].Trim();
            if (line.Length > 0 && line[0] != '#' && line[0] != '%')
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDocumentMarker(string line) =>
        line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line.StartsWith("---\t", StringComparison.Ordinal);
}
