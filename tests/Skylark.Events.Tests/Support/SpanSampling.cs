namespace Skylark.Events.Tests.Support;

/// <summary>
/// Tests that depend on which spans are not recorded run alone: a listener's decision applies process-wide, and a
/// span is recorded when any listener samples it, so a store recording every trace in a test running alongside would
/// record what these expect to be left out.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public static class SpanSampling
{
    public const string Name = "Span sampling";
}
