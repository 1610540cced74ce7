namespace Skylark.Events.Cli.Up;

/// <summary>What <c>skylark up</c> starts.</summary>
public sealed record UpOptions
{
    public required string TopologyPath { get; init; }

    /// <summary>The project's eventing/ folder; <see cref="ExtraEventing"/> is loaded on top of it.</summary>
    public required string EventingPath { get; init; }

    public IReadOnlyList<string> ExtraEventing { get; init; } = [];

    public string? EndpointsFile { get; init; }

    public string? JournalDirectory { get; init; }

    public ServingPolicy Serving { get; init; } = ServingPolicy.RoundRobin;

    /// <summary>Where dead letters and other run output go.</summary>
    public required string WorkDirectory { get; init; }
}
