using Skylark.Events.Functions.Alarm;
using Skylark.Events.Functions.Detect;
using Skylark.Events.Functions.Preprocess;

namespace Skylark.Events.Lab.Up;

/// <summary>The camera pipeline's functions, the default catalog of <c>skylark up</c>.</summary>
public static class CameraPipelineFunctions
{
    public static IReadOnlyList<HostedFunction> All { get; } =
    [
        new("preprocess", services => services.AddPreprocessFunction(), (app, path) => app.MapPreprocessFunction(path)),
        new("detect", services => services.AddDetectFunction(), (app, path) => app.MapDetectFunction(path)),
        new("alarm", services => services.AddAlarmFunction(), (app, path) => app.MapAlarmFunction(path)),
    ];

    /// <summary>The function that consumes camera frames: nodes hosting it ingest cameras.</summary>
    public const string Ingest = "preprocess";

    /// <summary>The function that raises alarms: nodes hosting it publish them on MQTT.</summary>
    public const string Alarm = "alarm";
}
