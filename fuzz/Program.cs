using SharpFuzz;
using Skylark.Events.Fuzz;

// afl-fuzz starts `dotnet Skylark.Events.Fuzz.dll <target>` once and feeds it inputs in persistent mode. Outside
// afl, the uninstrumented build runs the one input on stdin, so a finding can be replayed by hand (an instrumented
// copy cannot run without afl's coverage memory).
if (args.Length != 1 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Skylark.Events.Fuzz <target> < input   (targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))})");
    return 2;
}

if (Environment.GetEnvironmentVariable("__AFL_SHM_ID") is null)
{
    using var buffer = new MemoryStream();
    Console.OpenStandardInput().CopyTo(buffer);
    target.Run(buffer.ToArray());
    return 0;
}

Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.ToArray());
});
return 0;
