using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Bindings;

namespace Skylark.Events.Tests.Functions;

/// <summary>Posts CloudEvents to a function over real HTTP, as a Knative Trigger delivers them, and reads the answer.</summary>
internal sealed class FunctionClient(Uri baseAddress) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = Bound };

    public async Task<FunctionResponse> PostAsync(string path, CloudEvent cloudEvent, ContentMode mode = ContentMode.Binary)
    {
        using var content = cloudEvent.ToHttpContent(mode, RawDataJsonEventFormatter.Instance);
        using var response = await _http.PostAsync(path, content);
        return await FunctionResponse.ReadAsync(response);
    }

    public async Task<FunctionResponse> PostRawAsync(string path, HttpContent content)
    {
        using var response = await _http.PostAsync(path, content);
        return await FunctionResponse.ReadAsync(response);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public void Dispose() => _http.Dispose();
}

internal sealed record FunctionResponse(HttpStatusCode Status, string? ContentType, string Body, CloudEvent? Reply)
{
    public static async Task<FunctionResponse> ReadAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            var reply = await response.ToCloudEventAsync(RawDataJsonEventFormatter.Instance);
            return new FunctionResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, Encoding.UTF8.GetString((byte[])reply.Data!), reply);
        }

        return new FunctionResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), null);
    }

    /// <summary>The reply, failing with the problem body when there is none.</summary>
    public CloudEvent Event => Reply ?? throw new Xunit.Sdk.XunitException($"Expected a reply event but got {(int)Status}: {Body}");

    /// <summary>The reply's data (the FunctionReport) or the problem body.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Extension(string name) => Event[name]?.ToString() ?? throw new Xunit.Sdk.XunitException($"Reply has no '{name}' extension.");

    /// <summary>The reply as a Broker would forward it: the same attributes, data as JSON.</summary>
    public CloudEvent Forwardable()
    {
        var reply = Event;
        var copy = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = reply.Id,
            Type = reply.Type,
            Source = reply.Source,
            Time = reply.Time,
            DataContentType = reply.DataContentType,
            Data = JsonDocument.Parse(Body).RootElement.Clone(),
        };
        foreach (var (attribute, value) in reply.GetPopulatedAttributes())
        {
            if (attribute.IsExtension)
            {
                copy[attribute.Name] = value;
            }
        }

        return copy;
    }

    public static StringContent JsonContent(string json) => new(json, new MediaTypeHeaderValue("application/json"));
}
