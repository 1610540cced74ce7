using System.CommandLine;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Lab.Replay;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark journal export &lt;dir&gt; &gt; events.jsonl</c>: a broker journal's events as structured-mode JSON Lines,
/// oldest first (safe while the broker runs; a torn tail is skipped and reported on stderr).
/// </summary>
public static class JournalCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "The broker's journal folder (its --journal)." };
        var export = new Command("export", "Write every event of a journal to stdout, one structured-mode JSON CloudEvent per line.") { directory };
        export.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetRequiredValue(directory);
            if (!JournalReader.IsJournal(path))
            {
                await error.WriteLineAsync($"journal export: {path} is not a journal folder (no *{JournalFormat.SegmentExtension} segments).");
                return 2;
            }

            var damage = new List<JournalDamage>();
            var count = 0;
            foreach (var recorded in JournalReader.ReadEvents(path, damage.Add))
            {
                CloudEvent cloudEvent;
                try
                {
                    cloudEvent = recorded.ToCloudEvent();
                }
                catch (FormatException e)
                {
                    // One unreadable event should not cost the export every event after it.
                    await error.WriteLineAsync($"journal export: skipped event {recorded.Sequence}: {e.Message}");
                    continue;
                }

                await JsonLinesEvents.WriteAsync(output, cloudEvent, cancellationToken);
                count++;
            }

            await output.FlushAsync(cancellationToken);
            foreach (var skipped in damage)
            {
                await error.WriteLineAsync($"journal export: skipped {skipped.Bytes} unreadable byte(s) at offset {skipped.Offset} of {skipped.Segment} ({skipped.Reason})");
            }

            await error.WriteLineAsync($"journal export: {count} event(s)");
            return 0;
        });

        return new Command("journal", "Inspect a broker's durable event journal.") { export };
    }
}
