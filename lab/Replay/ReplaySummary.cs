using System.Globalization;
using System.Text;

namespace Skylark.Events.Lab.Replay;

/// <summary>What a replay did. <see cref="Rejected"/> counts final answers other than 2xx, by HTTP status.</summary>
public sealed record ReplaySummary(
    int Read,
    int Filtered,
    int Sent,
    int Accepted,
    IReadOnlyDictionary<int, int> Rejected,
    int Failed,
    int Retries,
    TimeSpan Duration)
{
    public int RejectedTotal => Rejected.Values.Sum();

    public bool AllAccepted => RejectedTotal == 0 && Failed == 0;

    public override string ToString()
    {
        var rejected = RejectedTotal == 0
            ? "0"
            : string.Create(CultureInfo.InvariantCulture, $"{RejectedTotal} ({string.Join(", ", Rejected.OrderBy(r => r.Key).Select(r => $"{r.Key}: {r.Value}"))})");
        var rate = Duration > TimeSpan.Zero ? Sent / Duration.TotalSeconds : 0;
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"read      {Read} event(s), {Filtered} left out by the filters")
            .AppendLine(CultureInfo.InvariantCulture, $"sent      {Sent}")
            .AppendLine(CultureInfo.InvariantCulture, $"accepted  {Accepted}")
            .AppendLine(CultureInfo.InvariantCulture, $"rejected  {rejected}")
            .AppendLine(CultureInfo.InvariantCulture, $"failed    {Failed} (no answer)")
            .AppendLine(CultureInfo.InvariantCulture, $"retried   {Retries} time(s) after 429/503")
            .Append(CultureInfo.InvariantCulture, $"duration  {Duration.TotalSeconds:0.000} s ({rate:0.#} events/s)")
            .ToString();
    }
}

/// <summary>Progress so far, reported after every answer.</summary>
public readonly record struct ReplayProgress(int Done, int? Total, int Accepted, int NotAccepted);
