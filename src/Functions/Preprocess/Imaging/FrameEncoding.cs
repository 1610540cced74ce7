using System.Text.Json.Serialization;

namespace Skylark.Events.Functions.Preprocess.Imaging;

/// <summary>How a preprocessed frame is encoded. PNG is lossless, so detection sees exactly what preprocess produced.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FrameEncoding>))]
public enum FrameEncoding
{
    Png,
    Jpeg,
}
