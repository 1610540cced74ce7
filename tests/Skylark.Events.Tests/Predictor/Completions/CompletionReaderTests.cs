using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Skylark.Events.Contracts;
using Skylark.Events.Predictor.Completions;
using Skylark.Events.Tests.Predictor.Traces;

namespace Skylark.Events.Tests.Predictor.Completions;

/// <summary>Completions are read from the functions' replies; bad ones are refused with a reason.</summary>
public class CompletionReaderTests
{
    private static readonly DateTimeOffset Received = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CloudEvent Recorded(int index = 1) => TraceFiles.Read(TraceGenerator.Pipeline)[index].Event;

    [Fact]
    public void A_functions_reply_reads_with_its_output_reads_and_writes()
    {
        var cloudEvent = Recorded();

        var completion = CompletionReader.Read(cloudEvent, Received);

        Assert.Equal(("detect", "cam-a-00000", "sat", "sat", "cam-a"), (completion.Function, completion.WorkflowId, completion.Node, completion.Holder, completion.Camera));
        Assert.Equal(StateRef.Parse("sat/cam-a-00000/detect.result"), completion.StateKey);
        Assert.Equal(cloudEvent.Time, completion.Time);
        Assert.Equal(3, completion.Reads.Count);
        Assert.True(completion.Reads[1].IsAbsent);
        Assert.Equal(2, completion.Writes.Count);

        // The output's size comes from the write of the statekey.
        Assert.Equal(completion.Writes.Single(w => w.Ref == completion.StateKey).Bytes, completion.OutputBytes);
    }

    [Fact]
    public void Data_as_raw_json_bytes_reads_the_same_as_parsed_data()
    {
        var parsed = Recorded();
        var raw = Recorded();
        raw.Data = Encoding.UTF8.GetBytes(((JsonElement)parsed.Data!).GetRawText());

        var a = CompletionReader.Read(parsed, Received);
        var b = CompletionReader.Read(raw, Received);

        Assert.Equal(a.Reads, b.Reads);
        Assert.Equal(a.Writes, b.Writes);
        Assert.Equal(a.OutputBytes, b.OutputBytes);
    }

    [Fact]
    public void Without_time_or_data_a_completion_still_reads()
    {
        var cloudEvent = Recorded();
        cloudEvent.Time = null;
        cloudEvent.Data = null;

        var completion = CompletionReader.Read(cloudEvent, Received);

        Assert.Equal(Received, completion.Time);
        Assert.Empty(completion.Reads);
        Assert.Null(completion.OutputBytes);
    }

    [Theory]
    [InlineData("function", null, "'function' extension")]
    [InlineData("workflowid", null, "'workflowid' extension")]
    [InlineData("node", "bad/node", "Extension 'node'")]
    [InlineData("statekey", "sat/only-two", "Extension 'statekey'")]
    [InlineData("statenode", "edge", "'statenode' is 'edge'")]
    public void A_missing_or_invalid_extension_is_named(string extension, string? value, string expected)
    {
        var cloudEvent = Recorded();
        cloudEvent[extension] = value;

        var error = Assert.Throws<InvalidCompletionException>(() => CompletionReader.Read(cloudEvent, Received));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_camera_frame_reads_as_the_start_of_its_workflow_on_the_node_holding_the_frame()
    {
        var frame = CameraFrame();

        var start = CompletionReader.Read(frame, Received);

        Assert.True(start.IsStart);
        Assert.Equal(Completion.StartPrefix + EventTypes.CameraFrame, start.Function);
        Assert.Equal(("cam-a-00007", "sat", "sat", "cam-a"), (start.WorkflowId, start.Node, start.Holder, start.Camera));
        Assert.Equal(StateRef.Parse("sat/cam-a-00007/camera.frame"), start.StateKey);
        Assert.Empty(start.Reads);
    }

    [Fact]
    public void A_start_without_statenode_begins_where_its_input_is_held()
    {
        var frame = CameraFrame();
        frame[ExtensionNames.StateNode] = null;

        Assert.Equal("sat", CompletionReader.Read(frame, Received).Node);
    }

    [Theory]
    [InlineData(EventTypes.StatePropagate)]
    [InlineData(EventTypes.StatePropagated)]
    [InlineData("io.skylark.function.failed")]
    public void Skylarks_own_state_and_function_events_are_refused_as_starts(string type)
    {
        var cloudEvent = CameraFrame();
        cloudEvent.Type = type;

        var error = Assert.Throws<InvalidCompletionException>(() => CompletionReader.Read(cloudEvent, Received));

        Assert.Contains($"'{type}' is neither", error.Message);
    }

    [Theory]
    [InlineData("workflowid", "needs the 'workflowid' extension")]
    [InlineData("statekey", "must say where it begins")]
    public void A_start_that_does_not_say_which_workflow_or_where_is_refused(string missing, string expected)
    {
        var frame = CameraFrame();
        frame[ExtensionNames.StateNode] = null;
        frame[missing] = null;

        Assert.Contains(expected, Assert.Throws<InvalidCompletionException>(() => CompletionReader.Read(frame, Received)).Message);
    }

    [Fact]
    public void A_start_whose_statenode_contradicts_its_statekey_is_refused()
    {
        var frame = CameraFrame();
        frame[ExtensionNames.StateNode] = "edge";

        Assert.Contains("'statenode' is 'edge'", Assert.Throws<InvalidCompletionException>(() => CompletionReader.Read(frame, Received)).Message);
    }

    private static CloudEvent CameraFrame()
    {
        var frame = new CloudEvent
        {
            Id = "frame-7",
            Type = EventTypes.CameraFrame,
            Source = EventSources.Camera("cam-a"),
            Time = Received,
        };
        frame[ExtensionNames.WorkflowId] = "cam-a-00007";
        frame[ExtensionNames.Camera] = "cam-a";
        frame[ExtensionNames.StateKey] = "sat/cam-a-00007/camera.frame";
        frame[ExtensionNames.StateNode] = "sat";
        return frame;
    }

    [Theory]
    [InlineData("""{"reads": {"ref": "a/b/c"}}""", "data.reads must be an array")]
    [InlineData("""{"reads": [{"ref": "a/b"}]}""", "data.reads[0].ref")]
    [InlineData("""{"writes": [{"ref": "a/b/c", "bytes": -1}]}""", "data.writes[0].bytes")]
    [InlineData("""{"bytes": "many"}""", "data.bytes")]
    [InlineData("""{"reads": [""", "not valid JSON")]
    public void A_malformed_report_is_refused_with_the_field_named(string data, string expected)
    {
        var cloudEvent = Recorded();
        cloudEvent.Data = Encoding.UTF8.GetBytes(data);

        Assert.Contains(expected, Assert.Throws<InvalidCompletionException>(() => CompletionReader.Read(cloudEvent, Received)).Message);
    }
}
