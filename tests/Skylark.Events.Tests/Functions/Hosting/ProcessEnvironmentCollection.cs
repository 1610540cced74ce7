namespace Skylark.Events.Tests.Functions.Hosting;

/// <summary>Tests that set process environment variables run alone, so no other test sees them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
