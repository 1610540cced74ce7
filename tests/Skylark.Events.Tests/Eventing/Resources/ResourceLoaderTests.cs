using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Resources.Manifests;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class ResourceLoaderTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Loads_every_document_of_a_multi_document_file_with_its_origin()
    {
        var path = folder.Write("all.yaml", Documents(BrokerYaml(), TriggerYamlWith(string.Empty), PingSourceYamlWith("schedule: \"*/5 * * * *\"")));

        var model = ResourceLoader.Load([path]);

        Assert.Equal(new ResourceOrigin(path, 0), Assert.Single(model.Brokers).Origin);
        Assert.Equal(new ResourceOrigin(path, 1), Assert.Single(model.Triggers).Origin);
        Assert.Equal(new ResourceOrigin(path, 2), Assert.Single(model.PingSources).Origin);
    }

    [Fact]
    public void Skips_empty_documents_but_still_counts_them()
    {
        var path = folder.Write("gaps.yaml", BrokerYaml() + "---\n---\n# nothing here\n---\n" + TriggerYamlWith(string.Empty) + "---\n");

        var model = ResourceLoader.Load([path]);

        Assert.Equal(0, Assert.Single(model.Brokers).Origin.Document);
        Assert.Equal(3, Assert.Single(model.Triggers).Origin.Document);
    }

    [Fact]
    public void Defaults_the_namespace_to_default()
    {
        var model = folder.LoadValid(Documents(BrokerYaml(), TriggerYamlWith(string.Empty)));

        Assert.Equal("default", Assert.Single(model.Brokers).Meta.Namespace);
        Assert.Equal("default", Assert.Single(model.Triggers).Meta.Namespace);
    }

    [Fact]
    public void Keeps_an_explicit_namespace_labels_and_annotations()
    {
        var model = folder.LoadValid("""
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata:
              name: default
              namespace: skylark
              labels:
                app: skylark
              annotations:
                eventing.knative.dev/broker.class: MTChannelBasedBroker
            """);

        var meta = Assert.Single(model.Brokers).Meta;
        Assert.Equal(("default", "skylark"), (meta.Name, meta.Namespace));
        Assert.Equal("skylark", meta.Labels["app"]);
        Assert.Equal("MTChannelBasedBroker", meta.Annotations["eventing.knative.dev/broker.class"]);
    }

    [Fact]
    public void Skips_kinds_it_does_not_run_with_a_warning()
    {
        var path = folder.Write("mixed.yaml", Documents(
            """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: preprocess
            spec:
              template:
                spec:
                  containers:
                    - image: example/preprocess
            """,
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              retry: "3"
            """,
            TriggerYamlWith(string.Empty)));
        var logger = new RecordingLogger();

        var model = ResourceLoader.Load([path], logger);

        Assert.Single(model.Triggers);
        Assert.Empty(model.Brokers);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Contains(warnings, w => w.Contains("Service (serving.knative.dev/v1)", StringComparison.Ordinal) && w.Contains("document 0", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("ConfigMap (v1)", StringComparison.Ordinal) && w.Contains("document 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Skips_an_unknown_kind_even_without_an_apiVersion()
    {
        var logger = new RecordingLogger();
        var path = folder.Write("kustomization.yaml", "kind: Kustomization\nresources:\n  - broker.yaml\n");

        var model = ResourceLoader.Load([path], logger);

        Assert.Empty(model.Triggers);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Kustomization", StringComparison.Ordinal));
    }

    [Fact]
    public void Requires_an_apiVersion_on_a_known_kind()
    {
        var errors = folder.LoadErrors("kind: Broker\nmetadata:\n  name: default\n");

        ErrorAssert.HasOnlyError(errors, 0, "apiVersion", "required; expected eventing.knative.dev/v1");
    }

    [Fact]
    public void Loads_nothing_from_a_file_of_comments()
    {
        var model = ResourceLoader.Load([folder.Write("empty.yaml", "# nothing yet\n\n# still nothing\n")]);

        Assert.Empty(model.Brokers);
        Assert.Empty(model.Triggers);
        Assert.Empty(model.PingSources);
    }

    [Theory]
    [InlineData("Trigger", "eventing.knative.dev/v1beta1", "eventing.knative.dev/v1")]
    [InlineData("Broker", "eventing.knative.dev/v1alpha1", "eventing.knative.dev/v1")]
    [InlineData("PingSource", "sources.knative.dev/v1beta2", "sources.knative.dev/v1")]
    public void Reports_a_known_kind_with_an_unsupported_apiVersion(string kind, string apiVersion, string supported)
    {
        var errors = folder.LoadErrors($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: x\n");

        var error = ErrorAssert.HasOnlyError(errors, 0, "apiVersion", $"unsupported apiVersion \"{apiVersion}\" for {kind}");
        Assert.Contains(supported, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Loads_folders_recursively_in_path_order_and_ignores_other_files()
    {
        folder.Write("b.yaml", TriggerYamlWith(string.Empty, "second"));
        folder.Write("a.yml", TriggerYamlWith(string.Empty, "first"));
        folder.Write("z/c.yaml", TriggerYamlWith(string.Empty, "third"));
        folder.Write("notes.txt", "not: yaml: at all: [");
        folder.Write("README.md", "# docs");

        var model = ResourceLoader.Load([folder.Root]);

        Assert.Equal(["first", "second", "third"], model.Triggers.Select(t => t.Meta.Name));
        Assert.Equal(Path.Combine(folder.Root, "z", "c.yaml"), model.Triggers[2].Origin.File);
    }

    [Fact]
    public void Reads_a_file_reached_twice_only_once()
    {
        var path = folder.Write("broker.yaml", BrokerYaml());

        var model = ResourceLoader.Load([folder.Root, path]);

        Assert.Single(model.Brokers);
    }

    [Fact]
    public void Loads_nothing_from_an_empty_folder()
    {
        var model = ResourceLoader.Load([folder.Root]);

        Assert.Empty(model.Brokers);
        Assert.Empty(model.Triggers);
        Assert.Empty(model.PingSources);
    }

    [Fact]
    public void Reports_a_path_that_does_not_exist()
    {
        var missing = Path.Combine(folder.Root, "missing.yaml");

        var exception = Assert.Throws<ResourceValidationException>(() => ResourceLoader.Load([missing]));

        var error = Assert.Single(exception.Errors);
        Assert.Equal((missing, -1), (error.File, error.Document));
        Assert.Contains("no such file or folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_yaml_syntax_error_with_document_and_line_and_still_checks_the_other_documents()
    {
        var yaml = Documents(
            BrokerYaml(),
            """
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: broken
            spec:
              broker: [default
            """,
            TriggerYaml(ValidSubscriber, "no-broker"));

        var errors = folder.LoadErrors(yaml);

        Assert.Equal(2, errors.Count);
        var syntax = ErrorAssert.HasError(errors, 1, string.Empty, "YAML syntax error at line");
        Assert.Equal(11, syntax.Line);
        Assert.Contains("line 11", syntax.Message, StringComparison.Ordinal);
        ErrorAssert.HasError(errors, 2, "spec.broker", "required");
    }

    [Fact]
    public void Reports_each_broken_document_of_a_file_on_its_own()
    {
        var yaml = Documents(
            TriggerYamlWith(string.Empty, "a"),
            "foo: bar: baz",
            TriggerYamlWith(string.Empty, "b"),
            TriggerYamlWith("broker: again", "c"));

        var errors = folder.LoadErrors(yaml);

        Assert.Equal(2, errors.Count);
        Assert.Equal(13, ErrorAssert.HasError(errors, 1, string.Empty, "YAML syntax error at line 13, column 9").Line);
        ErrorAssert.HasError(errors, 3, string.Empty, "Duplicate key broker");
    }

    [Fact]
    public void Reports_every_error_in_a_file_not_just_the_first()
    {
        var yaml = Documents(
            TriggerYaml("""
                subscriber:
                  uri: relative/path
                filter:
                  attributes:
                    Type: io.example
                """),
            BrokerYaml("""
                delivery:
                  retry: -1
                  backoffPolicy: random
                """),
            PingSourceYaml("schedule: \"@every 1m\""));

        var errors = folder.LoadErrors(yaml);

        ErrorAssert.HasError(errors, 0, "spec.broker", "required");
        ErrorAssert.HasError(errors, 0, "spec.subscriber.uri", "relative");
        ErrorAssert.HasError(errors, 0, "spec.filter.attributes", "\"Type\"");
        ErrorAssert.HasError(errors, 1, "spec.delivery.retry", "must be >= 0");
        ErrorAssert.HasError(errors, 1, "spec.delivery.backoffPolicy", "linear or exponential");
        ErrorAssert.HasError(errors, 2, "spec.schedule", "@every");
        ErrorAssert.HasError(errors, 2, "spec.sink", "required");
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void Reports_errors_from_every_file_of_a_folder()
    {
        var first = folder.Write("a.yaml", TriggerYaml(ValidSubscriber));
        var second = folder.Write("b.yaml", PingSourceYamlWith(string.Empty));

        var exception = Assert.Throws<ResourceValidationException>(() => ResourceLoader.Load([folder.Root]));

        Assert.Contains(exception.Errors, e => e.File == first && e.Field == "spec.broker");
        Assert.Contains(exception.Errors, e => e.File == second && e.Field == "spec.schedule");
    }

    [Fact]
    public void Reports_two_resources_of_one_kind_with_the_same_name_in_a_namespace()
    {
        var errors = folder.LoadErrors(Documents(TriggerYamlWith(string.Empty, "same"), TriggerYamlWith(string.Empty, "same")));

        var error = ErrorAssert.HasOnlyError(errors, 1, "metadata.name", "duplicate Trigger default/same");
        Assert.Contains("document 0", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Allows_one_name_for_resources_of_different_kinds()
    {
        var model = folder.LoadValid(Documents(BrokerYaml(name: "default"), TriggerYamlWith(string.Empty, "default")));

        Assert.Single(model.Brokers);
        Assert.Single(model.Triggers);
    }

    [Fact]
    public void Reports_a_document_that_is_not_a_resource()
    {
        var errors = folder.LoadErrors("- just\n- a list\n");

        ErrorAssert.HasOnlyError(errors, 0, string.Empty, "expected a Kubernetes resource");
    }

    [Fact]
    public void Reports_a_document_without_kind_or_apiVersion()
    {
        var errors = folder.LoadErrors("metadata:\n  name: x\n");

        ErrorAssert.HasError(errors, 0, "kind", "required");
        ErrorAssert.HasError(errors, 0, "apiVersion", "required");
    }

    [Fact]
    public void Reports_an_unquoted_boolean_where_knative_expects_a_string()
    {
        var errors = folder.LoadErrors(TriggerYamlWith("""
            filter:
              attributes:
                detected: true
            """));

        var error = ErrorAssert.HasOnlyError(errors, 0, "spec.filter.attributes.detected", "got the boolean true");
        Assert.Contains("quote it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_file_document_line_and_field_in_the_exception_message()
    {
        var path = folder.Write("resources.yaml", TriggerYaml(ValidSubscriber));

        var exception = Assert.Throws<ResourceValidationException>(() => ResourceLoader.Load([path]));

        // Line 6 is where the spec mapping that lacks a broker begins.
        Assert.Contains($"{path} (document 0, line 6): spec.broker: required", exception.Message, StringComparison.Ordinal);
    }
}
