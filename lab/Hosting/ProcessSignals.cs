using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Skylark.Events.Lab.Hosting;

/// <summary>
/// SIGTERM for child processes: what Kubernetes sends a pod's containers before SIGKILL, so a service gets its grace
/// period to finish in-flight work. <see cref="Process.Kill()"/> only sends SIGKILL.
/// </summary>
public static class ProcessSignals
{
    private const int SigTerm = 15;

    /// <returns>False when the process is gone already.</returns>
    public static bool Terminate(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.HasExited)
        {
            return false;
        }

        return Kill(process.Id, SigTerm) == 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
