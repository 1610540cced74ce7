namespace Skylark.Events.Lab.Deploy;

/// <summary>
/// The images of the deployment: one per deployable built from this repository (a target of
/// <c>deploy/docker/Dockerfile</c> with the deployable's name), and the public images of Redis and mosquitto.
/// </summary>
public static class DeployImages
{
    /// <summary>Redis 7 (ACL users with key and channel patterns), Debian-based: its shell builds the ACL file at start.</summary>
    public const string Redis = "redis:7.4";

    /// <summary>mosquitto 2: no anonymous access unless configured, and <c>mosquitto_passwd</c> to hash the passwords at start.</summary>
    public const string Mosquitto = "eclipse-mosquitto:2";

    /// <summary>Every deployable built from the repository, by the project it publishes.</summary>
    public static IReadOnlyDictionary<string, string> Projects { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["broker"] = "src/Broker/Skylark.Events.Broker.csproj",
        ["statesink"] = "src/StateSink/Skylark.Events.StateSink.csproj",
        ["predictor"] = "src/Predictor/Skylark.Events.Predictor.csproj",
        ["camera-ingest"] = "src/CameraIngest/Skylark.Events.CameraIngest.csproj",
        ["dead-letters"] = "src/DeadLetters/Skylark.Events.DeadLetters.csproj",
        ["preprocess"] = "src/Functions/Preprocess/Skylark.Events.Functions.Preprocess.csproj",
        ["detect"] = "src/Functions/Detect/Skylark.Events.Functions.Detect.csproj",
        ["alarm"] = "src/Functions/Alarm/Skylark.Events.Functions.Alarm.csproj",
    };

    /// <summary>The image of <paramref name="deployable"/>: <c>&lt;registry&gt;/skylark-&lt;deployable&gt;:&lt;tag&gt;</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="deployable"/> is not built from this repository.</exception>
    public static string Of(string deployable, string registry, string tag)
    {
        if (!Projects.ContainsKey(deployable))
        {
            throw new ArgumentException($"'{deployable}' is not a deployable of this repository; known: {string.Join(", ", Projects.Keys)}.", nameof(deployable));
        }

        var prefix = registry.TrimEnd('/');
        return prefix.Length == 0 ? $"skylark-{deployable}:{tag}" : $"{prefix}/skylark-{deployable}:{tag}";
    }

    /// <summary>The Dockerfile target building <paramref name="image"/>; null for an image not built here.</summary>
    public static string? TargetOf(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var name = image[(image.LastIndexOf('/') + 1)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        name = colon < 0 ? name : name[..colon];
        return name.StartsWith("skylark-", StringComparison.Ordinal) ? name["skylark-".Length..] : null;
    }
}
