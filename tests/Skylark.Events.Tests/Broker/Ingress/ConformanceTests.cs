using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Ingress;

/// <summary>A broker and one catch-all subscriber shared by every conformance case (they run one after another).</summary>
public sealed class ConformanceBroker : IAsyncLifetime
{
    public TestSubscriber Subscriber { get; private set; } = null!;

    public BrokerHost Broker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Subscriber = await TestSubscriber.StartAsync();
        Broker = await BrokerHost.StartAsync(TestEventing.Model(TestEventing.Trigger("all", Subscriber.Url)));
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        await Subscriber.DisposeAsync();
    }
}

public sealed class ConformanceTests(ConformanceBroker fixture) : IClassFixture<ConformanceBroker>
{
    private static readonly string Root = RepositoryPaths.InShared("conformance", "cloudevents-http");

    /// <summary>Every document of every conformance file, posted in its declared mode and in the other one.</summary>
    public static TheoryData<string, int, string> Cases()
    {
        var cases = new TheoryData<string, int, string>();
        foreach (var c in ConformanceCase.Load(Root))
        {
            cases.Add(c.File, c.Document, "binary");
            cases.Add(c.File, c.Document, "structured");
        }

        return cases;
    }

    [Fact]
    public void The_conformance_material_has_every_expected_file()
    {
        var files = ConformanceCase.Load(Root).Select(c => c.File.Replace('\\', '/')).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(["v0.3/v03_minimum.yaml", "v03.yaml", "v1.0/v1_minimum.yaml", "v1.yaml"], files);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_conformance_event_is_accepted_and_arrives_with_the_same_attributes_and_data(string file, int document, string mode)
    {
        var c = ConformanceCase.Load(Root).Single(x => x.File == file && x.Document == document);
        var before = fixture.Subscriber.Count;

        using var request = mode == "binary" ? Binary(c) : Structured(c);
        using var response = await fixture.Broker.Client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var received = (await fixture.Subscriber.WaitForAsync(before + 1))[before];
        var cloudEvent = received.CloudEvent;

        Assert.Equal("1.0", received.Header("ce-specversion"));
        Assert.Equal(c.Attributes["id"], cloudEvent.Id);
        Assert.Equal(c.Attributes["type"], cloudEvent.Type);
        Assert.Equal(c.Attributes["source"], cloudEvent.Source!.OriginalString);
        if (c.Attributes.TryGetValue("time", out var time))
        {
            Assert.Equal(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture), cloudEvent.Time);
        }

        // Structured JSON data without datacontenttype is application/json, which binary mode must then say.
        var impliedJson = mode == "structured" && EmbedsJson(c) ? "application/json" : null;
        Assert.Equal(c.DataContentType ?? impliedJson, cloudEvent.DataContentType);
        foreach (var (name, value) in c.Extensions)
        {
            Assert.Equal(value, received.Extension(name));
        }

        var data = (byte[]?)cloudEvent.Data ?? [];
        if (mode == "structured" && EmbedsJson(c))
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(c.Data!), JsonNode.Parse(data)), Encoding.UTF8.GetString(data));
        }
        else
        {
            Assert.Equal(Encoding.UTF8.GetBytes(c.Data ?? string.Empty), data);
        }
    }

    private HttpRequestMessage Binary(ConformanceCase c)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(c.Data ?? string.Empty));
        if (c.DataContentType is { } contentType)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, fixture.Broker.BrokerUrl()) { Content = content };
        foreach (var (name, value) in c.Attributes.Where(a => a.Key != "datacontenttype").Concat(c.Extensions))
        {
            request.Headers.TryAddWithoutValidation("ce-" + name, HttpUtilities.EncodeHeaderValue(value));
        }

        AddTransportHeaders(request, c);
        return request;
    }

    private HttpRequestMessage Structured(ConformanceCase c)
    {
        var json = new JsonObject();
        foreach (var (name, value) in c.Attributes.Concat(c.Extensions))
        {
            json[name] = value;
        }

        if (c.Data is { } data)
        {
            json["data"] = EmbedsJson(c) ? JsonNode.Parse(data) : JsonValue.Create(data);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, fixture.Broker.BrokerUrl())
        {
            Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/cloudevents+json"),
        };
        AddTransportHeaders(request, c);
        return request;
    }

    private static void AddTransportHeaders(HttpRequestMessage request, ConformanceCase c)
    {
        foreach (var (name, value) in c.TransportExtensions)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Structured JSON carries JSON data as JSON (no content type means JSON); anything else as a string.</summary>
    private static bool EmbedsJson(ConformanceCase c)
    {
        if (c.Data is null || !(c.DataContentType is null || c.DataContentType.StartsWith("application/json", StringComparison.Ordinal)))
        {
            return false;
        }

        try
        {
            JsonDocument.Parse(c.Data).Dispose();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
