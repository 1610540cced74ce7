using Skylark.Events.Fuzz;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Fuzz;

/// <summary>
/// The committed corpus under fuzz/corpus/&lt;target&gt;/ run through the harnesses in-process, without afl: every seed
/// (and every former crash kept there) either parses or fails with the component's documented exception.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string Corpus => RepositoryPaths.InRoot("fuzz", "corpus");

    public static TheoryData<string, string> Seeds()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.All)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Corpus, target.Name)).Order(StringComparer.Ordinal))
            {
                data.Add(target.Name, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_corpus_input_parses_or_fails_only_with_the_documented_exception(string target, string seed)
    {
        var harness = FuzzTargets.Find(target)!;
        var input = File.ReadAllBytes(Path.Combine(Corpus, target, seed));

        var thrown = Record.Exception(() => harness.Execute(input));

        Assert.True(thrown is null || harness.IsExpected(thrown), $"{target}/{seed} threw {thrown}");
    }

    [Fact]
    public void Every_target_has_a_corpus_of_its_own_and_every_corpus_folder_a_target()
    {
        var folders = Directory.EnumerateDirectories(Corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal), folders);
        Assert.All(FuzzTargets.All, t => Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(Corpus, t.Name))));
    }

    [Fact]
    public void Each_target_has_seeds_that_parse_as_well_as_seeds_that_are_rejected()
    {
        foreach (var target in FuzzTargets.All)
        {
            var outcomes = Directory.EnumerateFiles(Path.Combine(Corpus, target.Name))
                .Select(file => Record.Exception(() => target.Execute(File.ReadAllBytes(file))) is null)
                .ToList();

            Assert.True(outcomes.Contains(true) && outcomes.Contains(false), $"{target.Name}: the corpus should hold valid and near-valid inputs.");
        }
    }

    [Fact]
    public void An_undocumented_exception_escapes_the_harness_as_a_finding()
    {
        var target = new FuzzTarget("t", "throws", _ => throw new NullReferenceException(), [typeof(FormatException)]);

        Assert.Throws<NullReferenceException>(() => target.Run([]));
    }

    [Fact]
    public void A_documented_exception_is_a_rejection_not_a_finding()
    {
        var target = new FuzzTarget("t", "rejects", _ => throw new CesqlLikeFormatException(), [typeof(FormatException)]);

        target.Run([]);
    }

    private sealed class CesqlLikeFormatException : FormatException;
}
