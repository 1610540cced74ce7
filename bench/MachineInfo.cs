using System.Globalization;

namespace Skylark.Events.Benchmarks;

/// <summary>Cores and memory of the machine a benchmark ran on, as docs/benchmarks.md records them.</summary>
public static class MachineInfo
{
    public static int Cores => Environment.ProcessorCount;

    /// <summary>Physical memory in GiB (from /proc/meminfo on Linux; the GC's view elsewhere).</summary>
    public static double MemoryGiB
    {
        get
        {
            try
            {
                var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
                if (line is not null)
                {
                    var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    return kib / 1024.0 / 1024.0;
                }
            }
            catch (IOException)
            {
                // Not Linux: fall through to the GC's figure.
            }

            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024.0 / 1024.0;
        }
    }

    public static string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Cores} cores, {MemoryGiB:F1} GiB RAM");
}
