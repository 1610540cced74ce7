using Skylark.Events.Eventing.Resources;
using static Skylark.Events.Tests.Eventing.Resources.Manifests;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class PingSourceValidationTests : IDisposable
{
    private readonly YamlFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_every_field()
    {
        var model = folder.LoadValid("""
            apiVersion: sources.knative.dev/v1
            kind: PingSource
            metadata:
              name: sync
              namespace: skylark
            spec:
              schedule: "*/2 * * * *"
              timezone: Europe/Berlin
              contentType: application/json
              data: '{"reason": "periodic"}'
              ceOverrides:
                extensions:
                  node: edge1
              sink:
                ref:
                  apiVersion: eventing.knative.dev/v1
                  kind: Broker
                  name: default
            """);

        var source = Assert.Single(model.PingSources);
        Assert.Equal(("sync", "skylark"), (source.Meta.Name, source.Meta.Namespace));
        Assert.Equal("*/2 * * * *", source.Schedule);
        Assert.Equal("Europe/Berlin", source.Timezone);
        Assert.Equal("application/json", source.ContentType);
        Assert.Equal("{\"reason\": \"periodic\"}", source.Data);
        Assert.Null(source.DataBase64);
        Assert.Equal(new Dictionary<string, string> { ["node"] = "edge1" }, source.CeOverrideExtensions);
        Assert.Equal(new KReference("Broker", "default", "skylark", "eventing.knative.dev/v1"), source.Sink.Ref);
    }

    [Fact]
    public void Has_no_extensions_timezone_or_payload_when_unset()
    {
        var source = Assert.Single(folder.LoadValid(PingSourceYamlWith("schedule: \"@hourly\"")).PingSources);

        Assert.Empty(source.CeOverrideExtensions);
        Assert.Null(source.Timezone);
        Assert.Null(source.Data);
        Assert.Null(source.DataBase64);
        Assert.Null(source.ContentType);
    }

    [Fact]
    public void Requires_a_schedule_and_a_sink()
    {
        var errors = folder.LoadErrors(PingSourceYaml("timezone: UTC"));

        ErrorAssert.HasError(errors, 0, "spec.schedule", "required");
        ErrorAssert.HasError(errors, 0, "spec.sink", "required");
        Assert.Equal(2, errors.Count);
    }

    [Theory]
    [InlineData("61 * * * *", "Minutes")]
    [InlineData("* * * *", "4 field(s)")]
    [InlineData("0 0 0 * * * *", "7 field(s)")]
    [InlineData("@every 1m", "@every")]
    [InlineData("@reboot", "unknown descriptor")]
    public void Rejects_a_schedule_knative_rejects(string schedule, string message)
    {
        var errors = folder.LoadErrors(PingSourceYamlWith($"schedule: \"{schedule}\""));

        ErrorAssert.HasOnlyError(errors, 0, "spec.schedule", message);
    }

    [Theory]
    [InlineData("*/5 * * * *")]
    [InlineData("30 */5 * * * *")]
    [InlineData("@daily")]
    [InlineData("0 9 * * MON-FRI")]
    public void Accepts_standard_six_field_and_descriptor_schedules(string schedule)
    {
        var source = Assert.Single(folder.LoadValid(PingSourceYamlWith($"schedule: \"{schedule}\"")).PingSources);

        Assert.Equal(schedule, source.Schedule);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons", "unknown time zone")]
    [InlineData("Pacific Standard Time", "not an IANA time zone id")]
    public void Requires_an_iana_time_zone(string timezone, string message)
    {
        var errors = folder.LoadErrors(PingSourceYamlWith($"schedule: \"@hourly\"\ntimezone: {timezone}"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.timezone", message);
    }

    [Fact]
    public void Rejects_data_together_with_dataBase64()
    {
        var errors = folder.LoadErrors(PingSourceYamlWith("schedule: \"@hourly\"\ndata: hello\ndataBase64: aGVsbG8="));

        ErrorAssert.HasOnlyError(errors, 0, "spec.data", "mutually exclusive");
    }

    [Fact]
    public void Rejects_invalid_base64()
    {
        var errors = folder.LoadErrors(PingSourceYamlWith("schedule: \"@hourly\"\ndataBase64: \"not base64!\""));

        ErrorAssert.HasOnlyError(errors, 0, "spec.dataBase64", "not valid base64");
    }

    [Fact]
    public void Keeps_valid_base64_data()
    {
        var source = Assert.Single(folder.LoadValid(PingSourceYamlWith("schedule: \"@hourly\"\ndataBase64: aGVsbG8=")).PingSources);

        Assert.Equal("aGVsbG8=", source.DataBase64);
        Assert.Null(source.Data);
    }

    [Theory]
    [InlineData("data: \"not json\"", "spec.data")]
    [InlineData("data: \"[1, 2]\"", "spec.data")]
    [InlineData("dataBase64: bm90IGpzb24=", "spec.dataBase64")]
    public void Requires_json_object_data_when_the_content_type_is_json(string payload, string field)
    {
        var errors = folder.LoadErrors(PingSourceYamlWith($"schedule: \"@hourly\"\ncontentType: application/json\n{payload}"));

        ErrorAssert.HasOnlyError(errors, 0, field, "not a JSON object");
    }

    [Theory]
    [InlineData("Node")]
    [InlineData("my-ext")]
    public void Rejects_extension_names_that_are_not_lowercase_alphanumeric(string name)
    {
        var errors = folder.LoadErrors(PingSourceYamlWith($"schedule: \"@hourly\"\nceOverrides:\n  extensions:\n    {name}: x"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.ceOverrides.extensions", $"invalid key \"{name}\"");
    }

    [Fact]
    public void Validates_the_sink_as_a_destination()
    {
        var errors = folder.LoadErrors(PingSourceYaml("schedule: \"@hourly\"\nsink:\n  uri: no-scheme/path"));

        ErrorAssert.HasOnlyError(errors, 0, "spec.sink.uri", "must be absolute");
    }
}
