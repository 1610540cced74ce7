using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Tests.Eventing.Resources;

public sealed class PingScheduleTests
{
    private static readonly DateTime Start = new(2030, 1, 1, 10, 7, 13, DateTimeKind.Utc);

    [Fact]
    public void Parses_five_fields_as_minute_hour_day_month_weekday()
    {
        var expression = PingSchedule.Parse("*/15 * * * *");

        Assert.Equal(new DateTime(2030, 1, 1, 10, 15, 0, DateTimeKind.Utc), expression.GetNextOccurrence(Start));
    }

    [Fact]
    public void Parses_six_fields_with_a_leading_seconds_field()
    {
        var expression = PingSchedule.Parse("*/10 * * * * *");

        Assert.Equal(new DateTime(2030, 1, 1, 10, 7, 20, DateTimeKind.Utc), expression.GetNextOccurrence(Start));
    }

    [Theory]
    [InlineData("@yearly", 2031, 1, 1, 0)]
    [InlineData("@annually", 2031, 1, 1, 0)]
    [InlineData("@monthly", 2030, 2, 1, 0)]
    [InlineData("@weekly", 2030, 1, 6, 0)]
    [InlineData("@daily", 2030, 1, 2, 0)]
    [InlineData("@midnight", 2030, 1, 2, 0)]
    [InlineData("@hourly", 2030, 1, 1, 11)]
    public void Parses_the_descriptors_knative_supports(string descriptor, int year, int month, int day, int hour)
    {
        var expression = PingSchedule.Parse(descriptor);

        Assert.Equal(new DateTime(year, month, day, hour, 0, 0, DateTimeKind.Utc), expression.GetNextOccurrence(Start));
    }

    [Fact]
    public void Tolerates_extra_whitespace_between_fields()
    {
        Assert.Equal(PingSchedule.Parse("0 12 * * *").ToString(), PingSchedule.Parse("  0   12 * *\t* ").ToString());
    }

    [Fact]
    public void Rejects_every_like_knative_with_a_clear_message()
    {
        var exception = Assert.Throws<FormatException>(() => PingSchedule.Parse("@every 5m"));

        Assert.Contains("unsupported descriptor @every", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("@DAILY")]
    [InlineData("@Hourly")]
    [InlineData("@reboot")]
    public void Rejects_descriptors_knative_does_not_know(string descriptor)
    {
        Assert.False(PingSchedule.TryParse(descriptor, out var expression, out var error));
        Assert.Null(expression);
        Assert.Contains("unknown descriptor", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("* * *", "3 field(s)")]
    [InlineData("* * * * 8", "invalid cron schedule '* * * * 8'")]
    [InlineData("CRON_TZ=UTC * * * * *", "Seconds")]
    public void Rejects_malformed_schedules_saying_why(string schedule, string message)
    {
        Assert.False(PingSchedule.TryParse(schedule, out _, out var error));
        Assert.Contains(message, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Resolves_iana_time_zones()
    {
        Assert.True(PingSchedule.TryParseTimeZone("America/New_York", out var zone, out _));
        Assert.Equal("America/New_York", zone.Id);
        Assert.Equal("UTC", PingSchedule.ParseTimeZone("UTC").Id);
    }

    [Fact]
    public void Rejects_unknown_and_windows_time_zone_ids()
    {
        Assert.False(PingSchedule.TryParseTimeZone("Nowhere/Special", out _, out var unknown));
        Assert.Contains("unknown time zone", unknown, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => PingSchedule.ParseTimeZone("W. Europe Standard Time"));
    }
}
