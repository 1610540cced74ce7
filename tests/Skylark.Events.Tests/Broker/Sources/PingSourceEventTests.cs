using System.Text;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Sources;

namespace Skylark.Events.Tests.Broker.Sources;

/// <summary>The event itself, as Knative's mtping adapter builds it (pkg/adapter/mtping makeEvent).</summary>
public sealed class PingSourceEventTests
{
    private static readonly DateTimeOffset SendTime = new(2030, 1, 1, 10, 15, 0, TimeSpan.Zero);

    [Fact]
    public void Carries_knatives_type_and_source_a_fresh_id_and_the_send_time()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create("* * * * *", name: "statesink-sync", @namespace: "skylark"));

        var first = ping.Create(SendTime);
        var second = ping.Create(SendTime.AddMinutes(1));

        Assert.Equal(CloudEventsSpecVersion.V1_0, first.SpecVersion);
        Assert.Equal("dev.knative.sources.ping", first.Type);
        Assert.Equal("/apis/v1/namespaces/skylark/pingsources/statesink-sync", first.Source!.ToString());
        Assert.Equal(SendTime, first.Time);
        Assert.Equal(SendTime.AddMinutes(1), second.Time);
        Assert.True(Guid.TryParse(first.Id, out _), $"id {first.Id} is not a GUID");
        Assert.NotEqual(first.Id, second.Id);
        Assert.True(first.IsValid);
    }

    [Fact]
    public void Sends_data_as_its_utf8_bytes_with_the_given_content_type()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create("* * * * *", contentType: "application/json", data: "{\"task\":\"sync\",\"note\":\"größe\"}"));

        var cloudEvent = ping.Create(SendTime);

        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal(Encoding.UTF8.GetBytes("{\"task\":\"sync\",\"note\":\"größe\"}"), Assert.IsType<byte[]>(cloudEvent.Data));
    }

    [Fact]
    public void Decodes_data_base64_into_the_payload_bytes()
    {
        byte[] payload = [0x00, 0xFF, 0x10, 0x80, 0x7F];
        var ping = new PingSourceEvent(PingSourceResources.Create("* * * * *", contentType: "application/octet-stream", dataBase64: Convert.ToBase64String(payload)));

        var cloudEvent = ping.Create(SendTime);

        Assert.Equal("application/octet-stream", cloudEvent.DataContentType);
        Assert.Equal(payload, Assert.IsType<byte[]>(cloudEvent.Data));
    }

    [Fact]
    public void Leaves_the_content_type_unset_when_the_source_gives_none_as_knative_has_no_default()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create("* * * * *", data: "plain words"));

        var cloudEvent = ping.Create(SendTime);

        Assert.Null(cloudEvent.DataContentType);
        Assert.Equal("plain words"u8.ToArray(), Assert.IsType<byte[]>(cloudEvent.Data));
    }

    [Fact]
    public void Has_neither_data_nor_content_type_when_the_source_has_no_data()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create("* * * * *", contentType: "application/json"));

        var cloudEvent = ping.Create(SendTime);

        Assert.Null(cloudEvent.Data);
        Assert.Null(cloudEvent.DataContentType);
        Assert.Null(ping.ContentType);
    }

    [Fact]
    public void Adds_every_ce_override_extension()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create(
            "* * * * *",
            extensions: new Dictionary<string, string> { ["task"] = "sync", ["node"] = "sat-3" }));

        var cloudEvent = ping.Create(SendTime);

        Assert.Equal("sync", cloudEvent["task"]);
        Assert.Equal("sat-3", cloudEvent["node"]);
        Assert.Equal(["node", "task"], cloudEvent.ExtensionAttributes.Select(a => a.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Drops_override_extensions_that_name_cloudevents_attributes_like_knatives_sdk()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create(
            "* * * * *",
            extensions: new Dictionary<string, string> { ["type"] = "evil", ["subject"] = "x", ["data"] = "y", ["keep"] = "me" }));

        var cloudEvent = ping.Create(SendTime);

        Assert.Equal(["data", "subject", "type"], ping.DroppedExtensions);
        Assert.Equal("dev.knative.sources.ping", cloudEvent.Type);
        Assert.Null(cloudEvent.Subject);
        Assert.Equal("me", Assert.Single(ping.Extensions).Value);
    }

    [Fact]
    public void Gives_each_event_its_own_data_buffer()
    {
        var ping = new PingSourceEvent(PingSourceResources.Create("* * * * *", data: "abc"));

        var first = (byte[])ping.Create(SendTime).Data!;
        first[0] = (byte)'X';

        Assert.Equal("abc"u8.ToArray(), (byte[])ping.Create(SendTime).Data!);
    }

    [Fact]
    public void Refuses_data_base64_that_is_not_base64_naming_the_source()
    {
        var exception = Assert.Throws<FormatException>(() =>
            new PingSourceEvent(PingSourceResources.Create("* * * * *", name: "broken", dataBase64: "not base64!")));

        Assert.Contains("skylark/broken", exception.Message, StringComparison.Ordinal);
        Assert.Contains("dataBase64", exception.Message, StringComparison.Ordinal);
    }
}
