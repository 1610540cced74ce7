using System.CommandLine;
using CloudNative.CloudEvents;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Lab.Replay;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark journal export &lt;dir&gt; &gt; events.jsonl</c>: a broker journal's events as structured-mode JSON Lines,
/// oldest first (safe while the broker runs; damage is skipped and reported on stderr).
/// <c>skylark journal verify &lt;dir&gt;</c>: checks every record and says, per segment, what recovery would find,
/// changing nothing. Exit code 0 when clean or only a torn tail, 1 on damage the broker does not start on without
/// repair, 2 when the folder is not a journal.
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
                var kind = skipped.Kind == JournalDamageKind.TornTail ? "a torn tail" : "damage";
                await error.WriteLineAsync($"journal export: skipped {skipped.Bytes} unreadable byte(s) ({kind}) at offset {skipped.Offset} of {skipped.Segment} ({skipped.Reason})");
            }

            await error.WriteLineAsync($"journal export: {count} event(s)");
            return 0;
        });

        var verifyDirectory = new Argument<string>("dir") { Description = "The broker's journal folder (its --journal)." };
        var verify = new Command("verify", "Check every record of a journal and report torn tails and damage, changing nothing.") { verifyDirectory };
        verify.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetRequiredValue(verifyDirectory);
            if (!JournalReader.IsJournal(path))
            {
                await error.WriteLineAsync($"journal verify: {path} is not a journal folder (no *{JournalFormat.SegmentExtension} segments).");
                return 2;
            }

            var checks = JournalReader.Verify(path);
            foreach (var check in checks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await output.WriteLineAsync(Describe(check));
                foreach (var damage in check.Damage)
                {
                    await output.WriteLineAsync(Describe(damage));
                }
            }

            var midFile = checks.Count(c => c.MidFileDamage);
            var torn = checks.Count(c => c.Damage.Any(d => d.Kind == JournalDamageKind.TornTail));
            var records = checks.Sum(c => c.Records);
            var verdict = midFile > 0
                ? $"damaged in the middle of {midFile} segment(s): the broker does not start on it without --journal-repair true"
                : torn > 0 ? "intact but for a torn tail, which the broker cuts off at startup" : "intact";
            await output.WriteLineAsync($"journal verify: {checks.Count} segment(s), {records} intact record(s); {verdict}");
            await output.FlushAsync(cancellationToken);
            return midFile > 0 ? 1 : 0;
        });

        return new Command("journal", "Inspect a broker's durable event journal.") { export, verify };
    }

    private static string Describe(JournalSegmentCheck check) =>
        $"{Path.GetFileName(check.Segment)}: {check.Records} intact record(s), "
        + (check.Intact ? "no damage" : check.MidFileDamage ? "DAMAGED" : "torn tail");

    private static string Describe(JournalDamage damage) => damage.Kind == JournalDamageKind.TornTail
        ? $"  torn tail at offset {damage.Offset}: {damage.Bytes} byte(s), {damage.Reason}; no intact record after it"
        : $"  mid-file damage at offset {damage.Offset}: {damage.Bytes} byte(s), {damage.Reason}; {damage.IntactRecordsAfter} intact record(s) after it in the segment";
}
