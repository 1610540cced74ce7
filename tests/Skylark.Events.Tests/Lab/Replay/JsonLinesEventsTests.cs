using System.Text;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Delivery;
using Skylark.Events.Lab.Replay;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Lab.Replay;

public sealed class JsonLinesEventsTests
{
    [Theory]
    [InlineData("application/json", "{\n  \"a\" : 1,\n  \"b\": [1, 2]\n}")]
    [InlineData("text/plain", "two\nlines")]
    [InlineData("application/octet-stream", "\u0000\u0001binary")]
    public void An_event_fits_one_line_and_parses_back_with_the_same_attributes_and_data(string contentType, string data)
    {
        var original = TestEvents.Create(id: "e1", data: data);
        original.DataContentType = contentType;
        original.SetAttributeFromString("workflowid", "wf-1");

        var line = JsonLinesEvents.Format(original);
        var parsed = JsonLinesEvents.Parse(line);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(Attributes(original), Attributes(parsed));
        var expected = contentType == "application/json" ? "{\"a\":1,\"b\":[1,2]}" : data;
        Assert.Equal(expected, Encoding.UTF8.GetString(BinaryModeRequest.EncodeData(parsed).Span));
    }

    [Fact]
    public async Task A_line_that_is_not_an_event_is_reported_with_its_file_and_line_number()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, JsonLinesEvents.Format(TestEvents.Create()) + "\n\n{\"specversion\":\"1.0\",\"id\":\"x\"}\n");

            var error = Assert.Throws<FormatException>(() => JsonLinesEvents.Read(path).ToList());

            Assert.StartsWith($"{path}:3: not a CloudEvent", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_shipped_recording_holds_the_pipeline_events()
    {
        var events = EventReplay.Load(EventReplay.Pipeline);

        Assert.Equal(42, events.Count);
        Assert.Equal(12, events.Count(e => e.Type == "io.skylark.camera.frame"));
        Assert.All(events, e => Assert.NotNull(EventReplayer.RecordedAt(e)));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    internal static Dictionary<string, string> Attributes(CloudEvent cloudEvent, params string[] except) =>
        cloudEvent.GetPopulatedAttributes()
            .Where(a => !except.Contains(a.Key.Name))
            .ToDictionary(a => a.Key.Name, a => a.Key.Format(a.Value));
}
