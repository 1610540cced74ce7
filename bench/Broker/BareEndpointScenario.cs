namespace Skylark.Events.Benchmarks.Broker;

/// <summary>The loopback ceiling the others are measured against: a bare Kestrel endpoint that only answers 202.</summary>
internal static class BareEndpointScenario
{
    public static async Task<RunningScenario> StartAsync(CancellationToken ct)
    {
        var bare = await ScenarioDriver.StartAsync(app => app.MapPost("/{ns}/{broker}", () => Results.StatusCode(StatusCodes.Status202Accepted)), ct);
        return new RunningScenario("bare Kestrel endpoint (202)", 0, journaled: false, new Uri(bare.Url, $"/{ScenarioDriver.Namespace}/{ScenarioDriver.BrokerName}"), probe: null, [bare]);
    }
}
