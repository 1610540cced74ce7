using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Skylark.Events.Fuzz;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark fuzz &lt;target&gt; [--seconds N]</c>, <c>skylark fuzz --list</c>: builds the harnesses in <c>fuzz/</c>,
/// instruments a copy of them and the product assemblies under <c>.skylark/fuzz/&lt;target&gt;/</c>, runs afl-fuzz
/// from the target's committed corpus and reports executions, paths and the crashing inputs. Exit code 0 when
/// nothing crashed or hung, 1 when something did, 2 when the fuzzer could not run.
/// </summary>
public static class FuzzCommand
{
    public const string InstallAfl = "apt-get install -y afl++";

    /// <summary>
    /// What sharpfuzz instruments: the product and the CloudEvents SDK it parses with, so afl's coverage feedback
    /// reaches the code the untrusted bytes flow through. The harness itself is left alone.
    /// </summary>
    private static readonly string[] InstrumentedPrefixes = ["Skylark.Events.", "CloudNative.CloudEvents"];

    public static Command Create()
    {
        var target = new Argument<string?>("target") { Description = "What to fuzz (see --list).", Arity = ArgumentArity.ZeroOrOne };
        var seconds = new Option<int>("--seconds") { Description = "How long afl-fuzz runs (default 60).", DefaultValueFactory = _ => 60 };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--seconds must be at least 1.");
            }
        });
        var list = new Option<bool>("--list") { Description = "List the fuzz targets." };
        var command = new Command("fuzz", "Fuzz a parser of untrusted input with afl-fuzz (SharpFuzz-instrumented).") { target, seconds, list };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetValue(list))
            {
                foreach (var t in FuzzTargets.All)
                {
                    await output.WriteLineAsync($"{t.Name,-10} {t.Description}");
                }

                return 0;
            }

            var name = parseResult.GetValue(target);
            if (name is null || FuzzTargets.Find(name) is null)
            {
                await error.WriteLineAsync($"fuzz: name a target: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))} (skylark fuzz --list).");
                return 2;
            }

            if (FindOnPath("afl-fuzz") is not { } afl)
            {
                await error.WriteLineAsync($"fuzz: afl-fuzz is not installed. Install it (as root), then try again:{Environment.NewLine}  {InstallAfl}");
                return 2;
            }

            return await RunAsync(name, parseResult.GetValue(seconds), afl, output, error, cancellationToken);
        });

        return command;
    }

    private static async Task<int> RunAsync(string target, int seconds, string afl, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = SkylarkHome.Root;
        var work = SkylarkHome.Path(".skylark", "fuzz", target);
        var bin = Path.Combine(work, "bin");
        var findings = Path.Combine(work, "findings");
        var log = Path.Combine(work, "afl-fuzz.log");

        await error.WriteLineAsync("fuzz: building and instrumenting the harnesses…");
        if (await RunToolAsync(root, "dotnet", ["build", Path.Combine(root, "fuzz", "Skylark.Events.Fuzz.csproj"), "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"], error, cancellationToken) != 0
            || await RunToolAsync(root, "dotnet", ["tool", "restore"], error, cancellationToken) != 0)
        {
            await error.WriteLineAsync("fuzz: the harness build failed (see above).");
            return 2;
        }

        // A fresh copy every run: sharpfuzz rewrites assemblies in place, and instrumenting one twice fails.
        if (Directory.Exists(bin))
        {
            Directory.Delete(bin, recursive: true);
        }

        CopyDirectory(Path.Combine(root, "fuzz", "bin", "Release", "net10.0"), bin);
        foreach (var assembly in Directory.EnumerateFiles(bin, "*.dll")
                     .Where(f => InstrumentedPrefixes.Any(p => Path.GetFileName(f).StartsWith(p, StringComparison.Ordinal)))
                     .Where(f => !Path.GetFileName(f).StartsWith("Skylark.Events.Fuzz", StringComparison.Ordinal)))
        {
            if (await RunToolAsync(root, "dotnet", ["tool", "run", "sharpfuzz", assembly], error, cancellationToken) != 0)
            {
                await error.WriteLineAsync($"fuzz: sharpfuzz could not instrument {Path.GetFileName(assembly)}.");
                return 2;
            }
        }

        await error.WriteLineAsync($"fuzz: afl-fuzz on '{target}' for {seconds} s (log: {log})…");
        var start = new ProcessStartInfo(afl)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[
                     "-V", seconds.ToString(CultureInfo.InvariantCulture), "-i", Path.Combine(root, "fuzz", "corpus", target), "-o", findings,
                     "-t", "5000", "-m", "none", "--", "dotnet", Path.Combine(bin, "Skylark.Events.Fuzz.dll"), target])
        {
            start.ArgumentList.Add(argument);
        }

        // The harness is `dotnet`, not an afl-compiled binary; a container has no CPU governor or core_pattern to tune;
        // a later run adds to the same findings instead of starting over.
        start.Environment["AFL_SKIP_BIN_CHECK"] = "1";
        start.Environment["AFL_SKIP_CPUFREQ"] = "1";
        start.Environment["AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES"] = "1";
        start.Environment["AFL_NO_UI"] = "1";
        start.Environment["AFL_AUTORESUME"] = "1";

        int exitCode;
        using (var logFile = File.CreateText(log))
        {
            // Both streams into one log, a line at a time: the events arrive on different threads.
            var gate = new Lock();
            void Append(object sender, DataReceivedEventArgs line)
            {
                lock (gate)
                {
                    logFile.WriteLine(line.Data);
                }
            }

            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += Append;
            process.ErrorDataReceived += Append;
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            // -V stops afl after the time given, but its calibration of a slow corpus comes first; allow for that.
            deadline.CancelAfter(TimeSpan.FromSeconds(seconds + 300));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            exitCode = process.ExitCode;
        }

        var statsFile = Path.Combine(findings, "default", "fuzzer_stats");
        if (!File.Exists(statsFile))
        {
            await error.WriteLineAsync($"fuzz: afl-fuzz stopped (exit code {exitCode}) before it fuzzed; see {log}.");
            return 2;
        }

        var stats = FuzzerStats.Parse(File.ReadAllText(statsFile));
        var crashes = Inputs(Path.Combine(findings, "default", "crashes"));
        var hangs = Inputs(Path.Combine(findings, "default", "hangs"));
        await output.WriteLineAsync($"fuzz {target}: {stats.Executions} executions in {stats.Seconds} s, {stats.Paths} paths, {crashes.Count} crash(es), {hangs.Count} hang(s)");
        foreach (var input in crashes.Concat(hangs))
        {
            await output.WriteLineAsync($"  {input}");
        }

        if (crashes.Count + hangs.Count > 0)
        {
            // The instrumented copy only runs under afl; the plain build replays an input with its stack trace.
            await output.WriteLineAsync($"replay one: dotnet {Path.Combine(root, "fuzz", "bin", "Release", "net10.0", "Skylark.Events.Fuzz.dll")} {target} < <input>");
            return 1;
        }

        return 0;
    }

    private static List<string> Inputs(string directory) =>
        Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory, "id:*").Order(StringComparer.Ordinal)] : [];

    private static async Task<int> RunToolAsync(string workingDirectory, string fileName, string[] arguments, TextWriter error, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            await error.WriteAsync(await stdout + await stderr);
        }

        return process.ExitCode;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}

/// <summary>The counters of afl-fuzz's <c>fuzzer_stats</c> file (<c>name : value</c> lines) that a run reports.</summary>
public sealed record FuzzerStats(long Executions, long Paths, long Crashes, long Hangs, long Seconds)
{
    public static FuzzerStats Parse(string text)
    {
        var values = text.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);

        long Read(params string[] names) =>
            names.Select(n => values.TryGetValue(n, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : (long?)null)
                .FirstOrDefault(v => v is not null) ?? 0;

        // afl++ 4 renamed paths_total, unique_crashes and unique_hangs; read either spelling.
        return new FuzzerStats(
            Read("execs_done"),
            Read("corpus_count", "paths_total"),
            Read("saved_crashes", "unique_crashes"),
            Read("saved_hangs", "unique_hangs"),
            Read("run_time"));
    }
}
