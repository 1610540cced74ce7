using System.Runtime.InteropServices;

namespace Skylark.Events.DeadLetters;

/// <summary>
/// Makes a new file's name durable: a file's own fsync does not cover the folder entry that names it, and .NET cannot
/// open a folder, so on Linux this asks libc. Elsewhere it does nothing.
/// </summary>
internal static class DirectoryFlush
{
    // O_RDONLY: a folder opens read-only without O_DIRECTORY, whose value differs between architectures.
    private const int ReadOnly = 0;

    public static void Run(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Could not open folder '{directory}' to make the new file's name durable (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of folder '{directory}' failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
