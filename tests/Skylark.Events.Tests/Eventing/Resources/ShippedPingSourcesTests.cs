using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Eventing.Resources;

/// <summary>eventing/pingsources.yaml, the PingSource that drives the StateSinks' periodic sync.</summary>
public sealed class ShippedPingSourcesTests
{
    private static readonly string File = RepositoryPaths.InRoot("eventing", "pingsources.yaml");

    [Fact]
    public void Defines_statesink_sync_sending_a_json_sync_task_to_the_statesink_service_with_its_audience()
    {
        var source = Assert.Single(ResourceLoader.Load([File]).PingSources);

        Assert.Equal(("statesink-sync", "skylark"), (source.Meta.Name, source.Meta.Namespace));
        Assert.Equal(("UTC", "application/json", "{\"task\":\"sync\"}"), (source.Timezone, source.ContentType, source.Data));
        Assert.Null(source.DataBase64);
        Assert.Empty(source.CeOverrideExtensions);
        Assert.Equal(
            new Destination(new KReference("Service", "statesink", "skylark", "serving.knative.dev/v1"), null) { Audience = SkylarkAudiences.StateSinks },
            source.Sink);
    }

    [Fact]
    public void Uses_a_five_field_schedule_so_a_knative_cluster_accepts_it_too()
    {
        var source = Assert.Single(ResourceLoader.Load([File]).PingSources);

        Assert.Equal(5, source.Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(TimeSpan.FromMinutes(1), Interval(PingSchedule.Parse(source.Schedule)));
    }

    [Fact]
    public void Starts_with_a_comment_explaining_it()
    {
        Assert.StartsWith("# ", System.IO.File.ReadLines(File).First(), StringComparison.Ordinal);
    }

    private static TimeSpan Interval(Cronos.CronExpression schedule)
    {
        var from = new DateTimeOffset(2030, 1, 1, 0, 0, 30, TimeSpan.Zero);
        var first = schedule.GetNextOccurrence(from, TimeZoneInfo.Utc)!.Value;
        return schedule.GetNextOccurrence(first, TimeZoneInfo.Utc)!.Value - first;
    }
}
