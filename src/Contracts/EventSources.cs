namespace Skylark.Events.Contracts;

/// <summary>CloudEvent <c>source</c> values of the Skylark contract.</summary>
public static class EventSources
{
    public static readonly Uri Predictor = new("/predictor", UriKind.Relative);
    public static readonly Uri Alarm = new("/functions/alarm", UriKind.Relative);

    public static Uri Camera(string camera) => Relative("cameras", camera);
    public static Uri Function(string function) => Relative("functions", function);
    public static Uri StateSink(string node) => new($"/nodes/{Uri.EscapeDataString(node)}/statesink", UriKind.Relative);

    private static Uri Relative(string collection, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new Uri($"/{collection}/{Uri.EscapeDataString(name)}", UriKind.Relative);
    }
}
