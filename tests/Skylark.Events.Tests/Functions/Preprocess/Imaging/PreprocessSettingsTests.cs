using System.Text.Json;
using Skylark.Events.Contracts.Payloads;
using Skylark.Events.Functions.Preprocess.Imaging;

namespace Skylark.Events.Tests.Functions.Preprocess.Imaging;

public class PreprocessSettingsTests
{
    [Fact]
    public void Round_trips_through_contract_JSON_with_the_encoding_as_a_name()
    {
        var settings = new PreprocessSettings(targetWidth: 640, targetHeight: 360, denoiseKernel: 5, output: FrameEncoding.Jpeg, jpegQuality: 75);

        var json = JsonSerializer.Serialize(settings, ContractJson.Options);
        var back = JsonSerializer.Deserialize<PreprocessSettings>(json, ContractJson.Options);

        Assert.Contains("\"output\":\"Jpeg\"", json, StringComparison.Ordinal);
        Assert.Contains("\"targetWidth\":640", json, StringComparison.Ordinal);
        Assert.Equal(settings, back);
    }

    [Fact]
    public void Fields_missing_from_a_bundle_take_their_defaults()
    {
        var settings = JsonSerializer.Deserialize<PreprocessSettings>("""{"targetWidth":160,"targetHeight":120}""", ContractJson.Options);

        Assert.Equal(new PreprocessSettings(targetWidth: 160, targetHeight: 120), settings);
        Assert.Equal(FrameEncoding.Png, settings!.Output);
        Assert.Equal(3, settings.DenoiseKernel);
    }

    [Theory]
    [InlineData("""{"targetWidth":0}""", "targetWidth")]
    [InlineData("""{"targetHeight":5000}""", "targetHeight")]
    [InlineData("""{"denoiseKernel":4}""", "denoiseKernel")]
    [InlineData("""{"jpegQuality":101}""", "jpegQuality")]
    [InlineData("""{"maxInputDimension":0}""", "maxInputDimension")]
    public void A_bundle_with_an_invalid_value_is_rejected_naming_the_field(string json, string field)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => JsonSerializer.Deserialize<PreprocessSettings>(json, ContractJson.Options));

        Assert.Equal(field, error.ParamName);
    }

    [Fact]
    public void An_unknown_output_encoding_is_rejected()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PreprocessSettings>("""{"output":"Gif"}""", ContractJson.Options));
    }
}
