using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Resources.Manifests;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class SubscriptionsApiFilterValidationTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_every_dialect_into_the_model()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYamlWith("""
            filters:
              - exact:
                  type: io.skylark.function.completed
              - prefix:
                  source: /skylark/
              - suffix:
                  subject: .jpg
              - all:
                  - exact:
                      function: detect
                  - not:
                      exact:
                        detected: "false"
              - any:
                  - exact:
                      node: edge-1
                  - cesql: "node LIKE 'edge-%'"
            """)).Triggers);

        var filters = trigger.Filters;
        Assert.Equal(5, filters.Count);
        Assert.Equal("io.skylark.function.completed", filters[0].Exact!["type"]);
        Assert.Equal("/skylark/", filters[1].Prefix!["source"]);
        Assert.Equal(".jpg", filters[2].Suffix!["subject"]);
        Assert.Equal("detect", filters[3].All![0].Exact!["function"]);
        Assert.Equal("false", filters[3].All![1].Not!.Exact!["detected"]);
        Assert.Equal("edge-1", filters[4].Any![0].Exact!["node"]);
        Assert.Equal("node LIKE 'edge-%'", filters[4].Any![1].Cesql);
    }

    [Fact]
    public void Requires_a_dialect_in_each_filter()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - {}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.filters[0]", "expected exactly one dialect");
    }

    [Fact]
    public void Rejects_a_filter_with_more_than_one_dialect()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("""
            filters:
              - exact:
                  type: a
              - exact:
                  type: a
                prefix:
                  source: b
            """));

        ErrorAssert.HasOnlyError(errors, 0, "spec.filters[1]", "got 2: exact, prefix");
    }

    [Fact]
    public void Rejects_an_unknown_dialect()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - exact:\n      type: a\n    exakt:\n      type: b"));

        ErrorAssert.HasError(errors, 0, "spec.filters[0].exakt", "unknown filter dialect \"exakt\"");
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("prefix")]
    [InlineData("suffix")]
    public void Requires_exactly_one_attribute_in_exact_prefix_and_suffix(string dialect)
    {
        var errors = folder.LoadErrors(TriggerYamlWith($"filters:\n  - {dialect}:\n      type: a\n      source: b"));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.filters[0].{dialect}", "expected exactly one attribute: value pair; got 2");
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("prefix")]
    [InlineData("suffix")]
    public void Rejects_an_empty_exact_prefix_or_suffix(string dialect)
    {
        var errors = folder.LoadErrors(TriggerYamlWith($"filters:\n  - {dialect}: {{}}"));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.filters[0].{dialect}", "got 0");
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("prefix")]
    [InlineData("suffix")]
    public void Rejects_an_invalid_attribute_name(string dialect)
    {
        var errors = folder.LoadErrors(TriggerYamlWith($"filters:\n  - {dialect}:\n      Source: b"));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.filters[0].{dialect}", "invalid key \"Source\"");
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("prefix")]
    [InlineData("suffix")]
    public void Rejects_an_empty_value(string dialect)
    {
        var errors = folder.LoadErrors(TriggerYamlWith($"filters:\n  - {dialect}:\n      source: \"\""));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.filters[0].{dialect}", "the value for attribute \"source\" must not be empty");
    }

    [Theory]
    [InlineData("all")]
    [InlineData("any")]
    public void Requires_at_least_one_nested_filter_in_all_and_any(string dialect)
    {
        var errors = folder.LoadErrors(TriggerYamlWith($"filters:\n  - {dialect}: []"));

        ErrorAssert.HasOnlyError(errors, 0, $"spec.filters[0].{dialect}", "at least one nested filter");
    }

    [Fact]
    public void Requires_a_nested_filter_in_not()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - not:"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.filters[0].not", "expected a nested filter expression");
    }

    [Fact]
    public void Validates_nested_filters_recursively_and_names_their_path()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("""
            filters:
              - all:
                  - exact:
                      type: ok
                  - not:
                      prefix:
                        source: ""
              - any:
                  - any:
                      - suffix:
                          Bad: x
            """));

        ErrorAssert.HasError(errors, 0, "spec.filters[0].all[1].not.prefix", "must not be empty");
        ErrorAssert.HasError(errors, 0, "spec.filters[1].any[0].any[0].suffix", "invalid key \"Bad\"");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Requires_a_non_empty_cesql_expression()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - cesql: \"  \""));

        ErrorAssert.HasOnlyError(errors, 0, "spec.filters[0].cesql", "non-empty CESQL expression");
    }

    [Fact]
    public void Checks_cesql_syntax_through_the_configured_validator()
    {
        var seen = new List<string>();
        var options = new ResourceLoaderOptions
        {
            ValidateCesql = expression =>
            {
                seen.Add(expression);
                return expression.Contains("((", StringComparison.Ordinal) ? "unexpected '(' at position 1" : null;
            },
        };

        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - cesql: \"type = 'a'\"\n  - not:\n      cesql: \"((type\""), options);

        var error = ErrorAssert.HasOnlyError(errors, 0, "spec.filters[1].not.cesql", "unexpected '(' at position 1");
        Assert.Contains("((type", error.Message, StringComparison.Ordinal);
        Assert.Equal(["type = 'a'", "((type"], seen);
    }

    [Fact]
    public void Rejects_invalid_cesql_by_default_with_the_position_of_the_error()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - cesql: \"type = 'a' AND\""));

        var error = ErrorAssert.HasOnlyError(errors, 0, "spec.filters[0].cesql", "position");
        Assert.Contains("type = 'a' AND", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_cesql_the_validator_accepts()
    {
        var options = new ResourceLoaderOptions { ValidateCesql = _ => null };

        var trigger = Assert.Single(folder.LoadValid(TriggerYamlWith("filters:\n  - cesql: \"type = 'a'\""), options).Triggers);

        Assert.Equal("type = 'a'", Assert.Single(trigger.Filters).Cesql);
    }

    [Fact]
    public void Reports_a_failing_cesql_validator_as_an_error_instead_of_crashing()
    {
        var options = new ResourceLoaderOptions { ValidateCesql = _ => throw new InvalidOperationException("parser bug") };

        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  - cesql: \"type = 'a'\""), options);

        ErrorAssert.HasOnlyError(errors, 0, "spec.filters[0].cesql", "parser bug");
    }

    [Fact]
    public void Keeps_both_filter_and_filters_for_the_broker_to_apply_knative_precedence()
    {
        var trigger = Assert.Single(folder.LoadValid(TriggerYamlWith("filter:\n  attributes:\n    type: a\nfilters:\n  - exact:\n      type: b")).Triggers);

        Assert.Equal("a", trigger.FilterAttributes!["type"]);
        Assert.Equal("b", Assert.Single(trigger.Filters).Exact!["type"]);
    }

    [Fact]
    public void Requires_filters_to_be_a_list()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("filters:\n  exact:\n    type: a"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.filters", "expected a list");
    }
}
