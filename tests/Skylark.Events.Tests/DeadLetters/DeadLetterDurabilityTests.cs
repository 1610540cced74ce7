using Skylark.Events.DeadLetters;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.DeadLetters;

public sealed class DeadLetterDurabilityTests
{
    [Fact]
    public async Task After_a_restart_everything_is_listed_and_sequences_continue_where_they_stopped()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("dead-letters.jsonl");
        await using (var before = await DeadLetterHost.StartAsync(path))
        {
            for (var i = 1; i <= 70; i++)
            {
                await before.StoreAsync(DeadLetterHost.DeadLetter($"ev-{i}", 422, $"refused {i}"));
            }
        }

        await using var after = await DeadLetterHost.StartAsync(path);
        var next = await after.StoreAsync(DeadLetterHost.DeadLetter("ev-71", 500, null));
        using var all = await after.ListAsync("?limit=1000");
        using var tail = await after.ListAsync("?after=65");

        Assert.Equal(71, next);
        Assert.Equal(71, all.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(Enumerable.Range(1, 71).Select(i => (long)i), DeadLetterHost.Sequences(all));
        Assert.Equal([66L, 67L, 68L, 69L, 70L, 71L], DeadLetterHost.Sequences(tail));
        Assert.Equal("refused 70", tail.RootElement.GetProperty("items")[4].GetProperty("error").GetProperty("data").GetString());
        Assert.Contains(after.Logs.Entries, e => e.Message.Contains("70 record(s); the next is 71", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_torn_last_line_is_cut_off_and_logged_and_its_sequence_goes_to_the_next_dead_letter()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("dead-letters.jsonl");
        await using (var before = await DeadLetterHost.StartAsync(path))
        {
            await before.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 422, "no"));
            await before.StoreAsync(DeadLetterHost.DeadLetter("ev-2", 422, "no"));
        }

        var intact = new FileInfo(path).Length;
        var torn = "{\"sequence\":3,\"receivedAt\":\"2030-01-01T00:00:00Z\",\"error\":{\"code\":5"u8.ToArray();
        await using (var file = new FileStream(path, FileMode.Append))
        {
            await file.WriteAsync(torn);
        }

        await using var after = await DeadLetterHost.StartAsync(path);
        var lengthAfterStart = new FileInfo(path).Length;
        var next = await after.StoreAsync(DeadLetterHost.DeadLetter("ev-3", 500, null));
        using var listing = await after.ListAsync();

        Assert.Equal(intact, lengthAfterStart);
        Assert.Equal(3, next);
        Assert.Equal([1L, 2L, 3L], DeadLetterHost.Sequences(listing));
        Assert.Equal("ev-3", listing.RootElement.GetProperty("items")[2].GetProperty("event").GetProperty("id").GetString());
        var warning = Assert.Single(after.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("torn", StringComparison.Ordinal));
        Assert.Equal((long)torn.Length, warning.Values["Bytes"]);
        Assert.Equal(intact, warning.Values["Offset"]);
        Assert.Equal(3, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task Damage_with_intact_records_after_it_refuses_the_start_names_the_line_and_leaves_the_file_alone()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("dead-letters.jsonl");
        await using (var before = await DeadLetterHost.StartAsync(path))
        {
            for (var i = 1; i <= 3; i++)
            {
                await before.StoreAsync(DeadLetterHost.DeadLetter($"ev-{i}", 422, "no"));
            }
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(',', lines[1][13]);
        lines[1] = lines[1][..13] + "#" + lines[1][14..];
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        var damaged = File.ReadAllBytes(path);

        var refused = await Assert.ThrowsAsync<ServiceConfigurationException>(() => DeadLetterHost.StartAsync(path));

        var line = Assert.Single(refused.Problems).ToString();
        Assert.StartsWith($"--dead-letter-log (SKYLARK_DEAD_LETTER_LOG) names '{path}', which is damaged at line 2 (byte ", line, StringComparison.Ordinal);
        Assert.Contains("intact records follow it (line 3, sequence 3)", line, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Records_out_of_sequence_refuse_the_start()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("dead-letters.jsonl");
        await using (var before = await DeadLetterHost.StartAsync(path))
        {
            for (var i = 1; i <= 3; i++)
            {
                await before.StoreAsync(DeadLetterHost.DeadLetter($"ev-{i}", 422, "no"));
            }
        }

        var lines = File.ReadAllLines(path);
        File.WriteAllText(path, string.Join('\n', lines[0], lines[2]) + "\n");

        var refused = await Assert.ThrowsAsync<ServiceConfigurationException>(() => DeadLetterHost.StartAsync(path));

        Assert.Contains("has sequence 3 at line 2 where 2 should follow", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_file_is_created_for_its_owner_only_and_an_existing_one_open_to_others_is_restricted()
    {
        using var scratch = new ScratchDirectory();
        var created = scratch.File(Path.Combine("new", "dead-letters.jsonl"));
        var existing = scratch.File("existing.jsonl");
        File.WriteAllText(existing, "");
        File.SetUnixFileMode(existing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using (var host = await DeadLetterHost.StartAsync(created))
        {
            await host.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 422, "no"));
        }

        await using var second = await DeadLetterHost.StartAsync(existing);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(created));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(created)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(existing));
        Assert.Contains(second.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("readable by others (mode 644)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_log_on_a_file_in_use_refuses_to_start()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.File("dead-letters.jsonl");
        await using var first = await DeadLetterHost.StartAsync(path);

        var refused = await Assert.ThrowsAsync<ServiceConfigurationException>(() => DeadLetterHost.StartAsync(path));

        Assert.Contains("cannot be opened for appending", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await first.StoreAsync(DeadLetterHost.DeadLetter("ev-1", 422, "no")));
    }

    [Fact]
    public void The_admission_bound_counts_records_and_bytes_and_always_lets_one_record_into_an_empty_queue()
    {
        var admission = new AppendAdmission(maxRecords: 2, maxBytes: 100);

        var huge = admission.TryEnter(1_000);
        var overBytes = admission.TryEnter(1);
        admission.Exit(1_000);
        var first = admission.TryEnter(60);
        var second = admission.TryEnter(40);
        var full = admission.IsFull;
        var third = admission.TryEnter(0);
        admission.Exit(60);
        var again = admission.TryEnter(61);

        Assert.Equal((true, false), (huge, overBytes));
        Assert.Equal((true, true, true, false), (first, second, full, third));
        Assert.False(again);
        admission.Exit(40);
        Assert.True(admission.TryEnter(50));
    }

    [Fact]
    public void The_standalone_settings_need_the_log_and_bound_the_event_size()
    {
        var missing = Assert.Throws<ServiceConfigurationException>(() => DeadLetterSettings.From(Configuration([])));
        var tooLarge = Assert.Throws<ServiceConfigurationException>(() => DeadLetterSettings.From(Configuration(["--dead-letter-log", "x.jsonl", "--max-event-bytes", "999999999"])));
        var settings = DeadLetterSettings.From(Configuration([], new() { ["DEAD_LETTER_LOG"] = "/var/lib/skylark/dead-letters.jsonl", ["MAX_EVENT_BYTES"] = "65536" }));
        var options = new DeadLetterOptions();

        settings.Configure(options);

        Assert.Equal("--dead-letter-log (SKYLARK_DEAD_LETTER_LOG) is required.", missing.Message);
        Assert.Equal($"--max-event-bytes (SKYLARK_MAX_EVENT_BYTES) must be a whole number from 1 to {DeadLetterOptions.MaxMaxEventBytes}; got '999999999'.", tooLarge.Message);
        Assert.Equal(("/var/lib/skylark/dead-letters.jsonl", 65_536L), (options.LogPath, options.MaxEventBytes));
        options.Validate();
    }

    private static IConfiguration Configuration(string[] args, Dictionary<string, string?>? environment = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment ?? []).AddCommandLine(args).Build();
}
