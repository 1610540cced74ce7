using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Broker.Resources;

/// <summary>One YAML document of a file: its 0-based index in the file and its root node.</summary>
internal sealed record YamlDocumentEntry(int Index, YamlNode Root);

/// <summary>Splits a multi-document YAML text into documents, reporting syntax errors without stopping at the first.</summary>
internal static class YamlDocuments
{
    /// <summary>
    /// Parses every document. A syntax error is reported against its document and line; parsing then resumes at the
    /// next <c>---</c> after the error, so one broken document does not hide the problems of the others.
    /// </summary>
    public static IReadOnlyList<YamlDocumentEntry> Parse(string file, string text, ICollection<ResourceError> errors)
    {
        var documents = new List<YamlDocumentEntry>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var firstLine = 0;
        var firstDocument = 0;
        while (true)
        {
            var stream = new YamlStream();
            try
            {
                // Lines already dealt with are blanked rather than cut so node marks keep the file's line numbers.
                stream.Load(new StringReader(new string('\n', firstLine) + string.Join('\n', lines[firstLine..])));
                AddLoaded(stream, firstDocument, documents);
                return documents;
            }
            catch (YamlException e)
            {
                // YamlStream keeps the documents it finished before the error.
                AddLoaded(stream, firstDocument, documents);
                var failed = firstDocument + stream.Documents.Count;
                var line = (int)Math.Max(e.Start.Line, 1);
                errors.Add(new ResourceError(file, failed, string.Empty, $"YAML syntax error at line {line}, column {e.Start.Column}: {e.Message}")
                {
                    Line = line,
                });

                // An unterminated construct is often only noticed at the next document's "---"; that marker then
                // starts the next document rather than belonging to the broken one.
                var from = e.Start.Column <= 1 && line <= lines.Length && IsDocumentMarker(lines[line - 1]) ? line - 1 : line;
                var next = NextDocumentMarker(lines, from);
                if (next <= firstLine)
                {
                    return documents;
                }

                firstLine = next;
                firstDocument = failed + 1;
            }
        }
    }

    /// <summary>True for documents that hold nothing (a bare <c>---</c>, or <c>null</c>), which are skipped.</summary>
    public static bool IsEmpty(YamlNode root) => root is YamlScalarNode scalar && YamlScalars.IsNull(scalar);

    private static void AddLoaded(YamlStream stream, int firstDocument, List<YamlDocumentEntry> documents)
    {
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            documents.Add(new YamlDocumentEntry(firstDocument + i, stream.Documents[i].RootNode));
        }
    }

    /// <summary>0-based index of the first line at or after <paramref name="fromLine"/> (0-based) that starts a document.</summary>
    private static int NextDocumentMarker(string[] lines, int fromLine)
    {
        for (var i = fromLine; i < lines.Length; i++)
        {
            if (IsDocumentMarker(lines[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsDocumentMarker(string line) =>
        line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line.StartsWith("---\t", StringComparison.Ordinal);
}
