using System.Text.Json;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Tests.Functions.Detect.Vision;

public class MotionDetectorSettingsTests
{
    [Fact]
    public void Round_trips_through_contract_JSON()
    {
        var settings = new MotionDetectorSettings(learningRate: 0.03, threshold: 2.5, warmupFrames: 30, minArea: 40, detectPeople: true);

        var json = JsonSerializer.Serialize(settings, ContractJson.Options);

        Assert.Contains("\"learningRate\":0.03", json, StringComparison.Ordinal);
        Assert.Equal(settings, JsonSerializer.Deserialize<MotionDetectorSettings>(json, ContractJson.Options));
    }

    [Theory]
    [InlineData("""{"learningRate":0}""", "learningRate")]
    [InlineData("""{"threshold":-1}""", "threshold")]
    [InlineData("""{"warmupFrames":0}""", "warmupFrames")]
    [InlineData("""{"closeKernel":6}""", "closeKernel")]
    [InlineData("""{"staticFraction":1.5}""", "staticFraction")]
    public void A_bundle_with_an_invalid_value_is_rejected_naming_the_field(string json, string field)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => JsonSerializer.Deserialize<MotionDetectorSettings>(json, ContractJson.Options));

        Assert.Equal(field, error.ParamName);
    }
}
