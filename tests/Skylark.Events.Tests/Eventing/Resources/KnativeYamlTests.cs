using System.Text;
using System.Text.Json;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>
/// <see cref="KnativeYaml"/> is the inverse of <see cref="ResourceLoader"/>: a model written and loaded again is the
/// same model (only the origin differs), and the text is Knative YAML a cluster would take as it is.
/// </summary>
public sealed class KnativeYamlTests : IDisposable
{
    private static readonly ResourceOrigin InCode = new("code", 0);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>Every YAML file the repository ships for the broker, relative to the repository root.</summary>
    public static TheoryData<string> ShippedFiles()
    {
        var files = new TheoryData<string>();
        foreach (var shipped in new[] { "eventing", Path.Combine("bench", "eventing") })
        {
            foreach (var file in Directory.EnumerateFiles(RepositoryPaths.InRoot(shipped), "*.yaml").Order(StringComparer.Ordinal))
            {
                files.Add(Path.GetRelativePath(RepositoryPaths.Root, file));
            }
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void A_shipped_file_written_back_loads_as_the_same_model(string file)
    {
        var original = ResourceLoader.Load([RepositoryPaths.InRoot(file)]);

        var (reloaded, written) = RoundTrip(original);

        AssertSameModel(original, reloaded);
        Assert.Equal(written, KnativeYaml.Write(reloaded));
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void A_shipped_file_written_back_conforms_to_the_official_crds(string file)
    {
        AssertConformsToCrds(KnativeYaml.Write(ResourceLoader.Load([RepositoryPaths.InRoot(file)])));
    }

    [Fact]
    public void The_shipped_eventing_folder_written_as_one_file_keeps_every_resource_and_names_that_file()
    {
        var original = ResourceLoader.Load([RepositoryPaths.InRoot("eventing")]);

        var (reloaded, _) = RoundTrip(original);

        AssertSameModel(original, reloaded);
        Assert.Equal((1, 5, 1), (reloaded.Brokers.Count, reloaded.Triggers.Count, reloaded.PingSources.Count));
        var file = Path.Combine(folder.Root, "model.yaml");
        var origins = reloaded.Brokers.Select(b => b.Origin)
            .Concat(reloaded.Triggers.Select(t => t.Origin))
            .Concat(reloaded.PingSources.Select(p => p.Origin));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => new ResourceOrigin(file, i)), origins);
    }

    [Fact]
    public void Writes_one_document_per_resource_in_knative_field_order_quoting_only_what_yaml_would_retype()
    {
        var model = new EventingModel(
            [new BrokerResource(Meta("default"), new DeliverySpec(null, 3, BackoffPolicy.Exponential, TimeSpan.FromMilliseconds(200), null, null), InCode)],
            [
                new TriggerResource(
                    Meta("alarm"),
                    "default",
                    Strings(("type", "io.skylark.function.completed"), ("detected", "true")),
                    [],
                    new Destination(new KReference("Service", "alarm", "skylark", "serving.knative.dev/v1"), null),
                    null,
                    InCode),
            ],
            [
                new PingSourceResource(
                    Meta("sync"),
                    "* * * * *",
                    "UTC",
                    "application/json",
                    """{"task":"sync"}""",
                    null,
                    Strings(),
                    new Destination(null, new Uri("http://127.0.0.1:8080/ping")),
                    InCode),
            ]);

        Assert.Equal(
            """
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata:
              name: default
              namespace: skylark
            spec:
              delivery:
                retry: 3
                backoffPolicy: exponential
                backoffDelay: PT0.2S
            ---
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata:
              name: alarm
              namespace: skylark
            spec:
              broker: default
              filter:
                attributes:
                  type: io.skylark.function.completed
                  detected: "true"
              subscriber:
                ref:
                  apiVersion: serving.knative.dev/v1
                  kind: Service
                  name: alarm
                  namespace: skylark
            ---
            apiVersion: sources.knative.dev/v1
            kind: PingSource
            metadata:
              name: sync
              namespace: skylark
            spec:
              schedule: "* * * * *"
              timezone: UTC
              contentType: application/json
              data: '{"task":"sync"}'
              sink:
                uri: http://127.0.0.1:8080/ping

            """,
            KnativeYaml.Write(model));
    }

    [Fact]
    public void A_model_with_every_field_set_loads_back_equal()
    {
        var model = EveryField();

        var (reloaded, written) = RoundTrip(model);

        AssertSameModel(model, reloaded);
        Assert.Equal(written, KnativeYaml.Write(reloaded));

        // A few fields by hand, so the comparison above is not the only witness.
        var broker = Assert.Single(reloaded.Brokers);
        Assert.Equal(
            new DeliverySpec(
                new Destination(new KReference("Service", "dead-letters", "other", "serving.knative.dev/v1"), new Uri("/dlq", UriKind.Relative)),
                5,
                BackoffPolicy.Linear,
                TimeSpan.FromMilliseconds(250),
                TimeSpan.FromSeconds(30),
                TimeSpan.FromMinutes(2)),
            broker.Delivery);
        var byRef = reloaded.Triggers[0];
        Assert.Equal("true", byRef.FilterAttributes!["detected"]);
        Assert.Equal(string.Empty, byRef.FilterAttributes["empty"]);
        Assert.Equal("node LIKE 'edge-%'", byRef.Filters[3].All![1].Not!.Any![1].Cesql);
        Assert.Equal(new Uri("http://127.0.0.1:9000/hook"), reloaded.Triggers[1].Subscriber.Uri);
        var ping = reloaded.PingSources[0];
        Assert.Equal("""{"task":"sync"}""", Encoding.UTF8.GetString(Convert.FromBase64String(ping.DataBase64!)));
        Assert.Equal(Strings(("node", "edge-1"), ("priority", "1")), ping.CeOverrideExtensions);
    }

    [Fact]
    public void A_model_with_every_field_set_conforms_to_the_official_crds()
    {
        AssertConformsToCrds(KnativeYaml.Write(EveryField()));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("false")]
    [InlineData("yes")]
    [InlineData("no")]
    [InlineData("on")]
    [InlineData("y")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("0x1F")]
    [InlineData(".inf")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("2001-12-14")]
    [InlineData("a: b")]
    [InlineData("a:")]
    [InlineData("#x")]
    [InlineData("x #y")]
    [InlineData("- x")]
    [InlineData("@daily")]
    [InlineData("*")]
    [InlineData("&anchor")]
    [InlineData("!tag")]
    [InlineData("{a: b}")]
    [InlineData("[a]")]
    [InlineData("'quoted'")]
    [InlineData("\"quoted\"")]
    [InlineData("it's")]
    [InlineData("back\\slash")]
    [InlineData("  padded  ")]
    [InlineData("line\nbreak\n")]
    [InlineData("tab\there")]
    [InlineData("---")]
    [InlineData("...")]
    [InlineData("grüße ✓")]
    public void A_value_yaml_would_read_as_something_else_comes_back_as_the_same_string(string value)
    {
        var model = new EventingModel(
            [],
            [
                new TriggerResource(
                    Meta("t", labels: Strings(("value", value))),
                    "default",
                    Strings(("value", value)),
                    [],
                    new Destination(new KReference("Service", "s", "skylark", "serving.knative.dev/v1"), null),
                    null,
                    InCode),
            ],
            []);

        var (reloaded, written) = RoundTrip(model);

        var trigger = Assert.Single(reloaded.Triggers);
        Assert.Equal(value, trigger.FilterAttributes!["value"]);
        Assert.Equal(value, trigger.Meta.Labels["value"]);
        AssertConformsToCrds(written);
    }

    [Fact]
    public void A_cesql_expression_with_quotes_and_operators_comes_back_unchanged()
    {
        const string Expression = "type = 'io.skylark.function.completed' AND (function = \"detect\" OR label IN ('fire', 'smoke')) AND NOT (x: b)";
        var model = new EventingModel(
            [],
            [
                new TriggerResource(
                    Meta("t"),
                    "default",
                    null,
                    [new SubscriptionsApiFilter(Cesql: Expression)],
                    new Destination(null, new Uri("http://sink.example/")),
                    null,
                    InCode),
            ],
            []);

        // The loader's CESQL syntax check is beside the point here: the expression is kept as text either way.
        var path = folder.Write("model.yaml", KnativeYaml.Write(model));
        var reloaded = ResourceLoader.Load([path], new ResourceLoaderOptions());

        Assert.Equal(Expression, Assert.Single(Assert.Single(reloaded.Triggers).Filters).Cesql);
    }

    [Fact]
    public void Keeps_absent_apart_from_empty_where_the_loader_does()
    {
        var model = new EventingModel(
            [
                new BrokerResource(Meta("no-delivery"), null, InCode),
                new BrokerResource(Meta("empty-delivery"), new DeliverySpec(null, null, null, null, null, null), InCode),
            ],
            [
                new TriggerResource(Meta("no-filter"), "no-delivery", null, [], new Destination(null, new Uri("http://a.example/")), null, InCode),
                new TriggerResource(Meta("match-all"), "no-delivery", Strings(), [], new Destination(null, new Uri("http://a.example/")), null, InCode),
            ],
            []);

        var (reloaded, written) = RoundTrip(model);

        AssertSameModel(model, reloaded);
        Assert.Null(reloaded.Brokers[0].Delivery);
        Assert.NotNull(reloaded.Brokers[1].Delivery);
        Assert.Null(reloaded.Triggers[0].FilterAttributes);
        Assert.Empty(reloaded.Triggers[1].FilterAttributes!);
        AssertConformsToCrds(written);
    }

    [Fact]
    public void Keeps_a_seconds_field_in_a_ping_schedule_which_the_loader_takes_but_knative_does_not()
    {
        var model = new EventingModel([], [], [PingSource("fast", "*/10 * * * * *", data: "tick", dataBase64: null)]);

        var (reloaded, written) = RoundTrip(model);

        Assert.Equal("*/10 * * * * *", Assert.Single(reloaded.PingSources).Schedule);
        Assert.Contains("schedule: \"*/10 * * * * *\"\n", written, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_model_writes_a_file_that_loads_as_an_empty_model()
    {
        var (reloaded, _) = RoundTrip(EventingModel.Empty);

        AssertSameModel(EventingModel.Empty, reloaded);
    }

    [Fact]
    public async Task WriteAsync_replaces_the_file_whole_and_leaves_nothing_else_in_the_folder()
    {
        var path = folder.Write("eventing.yaml", "# an older model\n");
        var model = EveryField();

        await KnativeYaml.WriteAsync(model, path, CancellationToken.None);

        Assert.Equal(KnativeYaml.Write(model), await File.ReadAllTextAsync(path, CancellationToken.None));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(folder.Root));
        AssertSameModel(model, ResourceLoader.Load([path]));
    }

    [Fact]
    public async Task WriteAsync_writes_utf8_without_a_byte_order_mark()
    {
        var path = Path.Combine(folder.Root, "new.yaml");

        await KnativeYaml.WriteAsync(EveryField(), path, CancellationToken.None);

        var bytes = await File.ReadAllBytesAsync(path, CancellationToken.None);
        Assert.Equal((byte)'a', bytes[0]);
    }

    [Fact]
    public async Task WriteAsync_into_a_missing_folder_fails_and_creates_nothing()
    {
        var path = Path.Combine(folder.Root, "missing", "eventing.yaml");

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => KnativeYaml.WriteAsync(EveryField(), path, CancellationToken.None));

        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Root));
    }

    /// <summary>Writes <paramref name="model"/> to a file, loads it, and returns the model loaded and the text written.</summary>
    private (EventingModel Reloaded, string Written) RoundTrip(EventingModel model)
    {
        var written = KnativeYaml.Write(model);
        var path = folder.Write("model.yaml", written);
        return (ResourceLoader.Load([path]), written);
    }

    /// <summary>
    /// Records holding dictionaries and lists compare those by reference, so models are compared as JSON (keys in
    /// order: the writer keeps the model's order) with every origin blanked.
    /// </summary>
    private static void AssertSameModel(EventingModel expected, EventingModel actual) =>
        Assert.Equal(Canonical(expected), Canonical(actual));

    private static string Canonical(EventingModel model)
    {
        var anywhere = new ResourceOrigin(string.Empty, 0);
        var blanked = new EventingModel(
            [.. model.Brokers.Select(b => b with { Origin = anywhere })],
            [.. model.Triggers.Select(t => t with { Origin = anywhere })],
            [.. model.PingSources.Select(p => p with { Origin = anywhere })])
        {
            EventPolicies = [.. model.EventPolicies.Select(p => p with { Origin = anywhere })],
        };
        return JsonSerializer.Serialize(blanked, Indented);
    }

    private static void AssertConformsToCrds(string written)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(written));
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            KnativeCrdSchemas.AssertConforms(Assert.IsType<YamlMappingNode>(stream.Documents[i].RootNode), $"written document {i}");
        }
    }

    /// <summary>Every field the model has, set, with filters of every dialect nested and values YAML would retype.</summary>
    private static EventingModel EveryField()
    {
        var service = new KReference("Service", "handler", "skylark", "serving.knative.dev/v1");
        var delivery = new DeliverySpec(
            new Destination(new KReference("Service", "dead-letters", "other", "serving.knative.dev/v1"), new Uri("/dlq", UriKind.Relative)),
            5,
            BackoffPolicy.Linear,
            TimeSpan.FromMilliseconds(250),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMinutes(2));
        var broker = new BrokerResource(
            Meta(
                "default",
                labels: Strings(("app.kubernetes.io/part-of", "skylark"), ("tier", "1")),
                annotations: Strings(("eventing.knative.dev/broker.class", "MTChannelBasedBroker"), ("note", "a: b #x"))),
            delivery,
            InCode);

        SubscriptionsApiFilter[] filters =
        [
            new(Exact: Strings(("type", "io.skylark.function.completed"))),
            new(Prefix: Strings(("source", "/cameras/"))),
            new(Suffix: Strings(("subject", ".jpg"))),
            new(All:
            [
                new(Exact: Strings(("detected", "true"))),
                new(Not: new(Any: [new(Exact: Strings(("count", "1"))), new(Cesql: "node LIKE 'edge-%'")])),
            ]),
            new(Any: [new(Prefix: Strings(("label", "#x"))), new(Suffix: Strings(("kind", "null")))]),
        ];
        var byRef = new TriggerResource(
            Meta("by-ref", labels: Strings(("enabled", "yes"))),
            "default",
            Strings(
                ("type", "io.skylark.function.completed"),
                ("detected", "true"),
                ("count", "1"),
                ("none", "null"),
                ("flag", "yes"),
                ("colon", "a: b"),
                ("hash", "#x"),
                ("empty", string.Empty)),
            filters,
            new Destination(service, new Uri("/events?x=1", UriKind.Relative)),
            delivery with { DeadLetterSink = new Destination(null, new Uri("http://127.0.0.1:9999/dead")), BackoffPolicy = BackoffPolicy.Exponential },
            InCode);
        var byUri = new TriggerResource(
            Meta("by-uri"),
            "default",
            null,
            [new(Cesql: "type = 'io.skylark.camera.frame'")],
            new Destination(null, new Uri("http://127.0.0.1:9000/hook")),
            new DeliverySpec(null, 0, null, TimeSpan.Zero, null, null),
            InCode);

        return new EventingModel(
            [broker],
            [byRef, byUri],
            [
                PingSource("base64", "*/5 * * * *", data: null, dataBase64: Convert.ToBase64String("""{"task":"sync"}"""u8)) with
                {
                    Meta = Meta("base64", annotations: Strings(("description", "every five minutes"))),
                    Timezone = "Europe/Berlin",
                    ContentType = "application/json",
                    CeOverrideExtensions = Strings(("node", "edge-1"), ("priority", "1")),
                    Sink = new Destination(service, null),
                },
                PingSource("text", "@daily", data: "{\n  \"task\": \"sync\"\n}", dataBase64: null) with { ContentType = "application/json; charset=utf-8" },
            ]);
    }

    private static PingSourceResource PingSource(string name, string schedule, string? data, string? dataBase64) =>
        new(Meta(name), schedule, null, null, data, dataBase64, Strings(), new Destination(null, new Uri("http://127.0.0.1:8080/ping")), InCode);

    private static ResourceMeta Meta(
        string name,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? annotations = null) =>
        new(name, "skylark", labels ?? Strings(), annotations ?? Strings());

    private static Dictionary<string, string> Strings(params (string Key, string Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
}
