using Skylark.Events.Eventing.Filters.Cesql;

namespace Skylark.Events.Tests.Eventing.Filters.Cesql;

/// <summary>The CloudEvents SQL 1.0 technology compatibility kit: every case, none skipped.</summary>
public class CesqlTckTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var testCase in CesqlTckLoader.All.OrderBy(c => c.File, StringComparer.Ordinal))
        {
            data.Add(testCase.File, testCase.Name);
        }

        return data;
    }

    [Fact]
    public void The_kit_holds_every_case_of_the_conformance_files()
    {
        Assert.Equal(275, CesqlTckLoader.All.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conforms(string file, string name)
    {
        var testCase = CesqlTckLoader.Get(file, name);

        if (testCase.ExpectedError == CesqlErrorKind.Parse)
        {
            var exception = Assert.Throws<CesqlParseException>(() => CesqlExpression.Parse(testCase.Expression));
            Assert.Contains("position", exception.Message, StringComparison.Ordinal);
            return;
        }

        var result = CesqlExpression.Parse(testCase.Expression).Evaluate(testCase.CreateEvent());

        if (testCase.ExpectedError is { } kind)
        {
            Assert.NotEmpty(result.Errors);
            Assert.All(result.Errors, error => Assert.Equal(kind, error.Kind));
        }
        else
        {
            Assert.Empty(result.Errors);
        }

        if (testCase.ExpectedResult is { } expected)
        {
            Assert.Equal(expected, result.Value);
        }
    }
}
