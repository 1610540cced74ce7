using System.CommandLine;
using Skylark.Events.Cli;
using Skylark.Events.Tests.Broker.Journal;

namespace Skylark.Events.Tests.Cli.Commands;

/// <summary>
/// <c>skylark journal verify</c> reports what startup recovery would find, changing nothing: 0 for a clean journal or
/// one with only a torn tail, 1 for damage the broker does not start on, 2 for a folder that is not a journal.
/// </summary>
public sealed class JournalCommandTests : IDisposable
{
    private readonly JournalFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Verify_of_a_clean_journal_lists_each_segment_and_exits_0()
    {
        await JournalFiles.AppendAsync(folder, 30, segmentBytes: 4096);

        var (exitCode, output, _) = await RunAsync("journal", "verify", folder.Path);

        Assert.Equal(0, exitCode);
        foreach (var segment in folder.Segments)
        {
            Assert.Contains($"{Path.GetFileName(segment)}: {JournalFiles.Records(segment).Count} intact record(s), no damage", output, StringComparison.Ordinal);
        }

        Assert.Contains($"journal verify: {folder.Segments.Count} segment(s), 30 intact record(s); intact", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_a_torn_tail_with_its_offset_exits_0_and_leaves_it_in_place()
    {
        await JournalFiles.AppendAsync(folder, 5);
        var segment = Assert.Single(folder.Segments);
        var last = JournalFiles.Records(segment)[^1];
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(last.Offset + 12);
        }

        var (exitCode, output, _) = await RunAsync("journal", "verify", folder.Path);

        Assert.Equal(0, exitCode);
        Assert.Contains($"{Path.GetFileName(segment)}: 4 intact record(s), torn tail", output, StringComparison.Ordinal);
        Assert.Contains($"torn tail at offset {last.Offset}: 12 byte(s)", output, StringComparison.Ordinal);
        Assert.Equal(last.Offset + 12, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task Verify_reports_mid_file_damage_with_its_offset_and_the_intact_records_after_it_and_exits_1_changing_nothing()
    {
        await JournalFiles.AppendAsync(folder, 20);
        var segment = Assert.Single(folder.Segments);
        var damaged = JournalFiles.Records(segment)[7];
        JournalFiles.FlipByte(segment, damaged.Offset + 40);
        var before = await File.ReadAllBytesAsync(segment);

        var (exitCode, output, _) = await RunAsync("journal", "verify", folder.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{Path.GetFileName(segment)}: 19 intact record(s), DAMAGED", output, StringComparison.Ordinal);
        Assert.Contains($"mid-file damage at offset {damaged.Offset}: {damaged.Bytes} byte(s), a record does not match its checksum; 12 intact record(s) after it", output, StringComparison.Ordinal);
        Assert.Contains("--journal-repair true", output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(segment));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Verify_of_a_folder_that_is_not_a_journal_exits_2()
    {
        var (exitCode, _, error) = await RunAsync("journal", "verify", Path.Combine(folder.Path, "no-such-folder"));

        Assert.Equal(2, exitCode);
        Assert.Contains("no-such-folder is not a journal folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_goes_on_past_mid_file_damage_and_reports_it()
    {
        await JournalFiles.AppendAsync(folder, 6);
        var segment = Assert.Single(folder.Segments);
        var damaged = JournalFiles.Records(segment)[2];
        JournalFiles.FlipByte(segment, damaged.Offset + 40);

        var (exitCode, output, error) = await RunAsync("journal", "export", folder.Path);

        Assert.Equal(0, exitCode);
        Assert.Equal(5, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"(damage) at offset {damaged.Offset}", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SkylarkCommandLine.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
