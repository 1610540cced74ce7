using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Skylark.Events.Hosting;

/// <summary>
/// The flushes durable files rest on (the broker's journal, the dead-letter log). On Linux it asks libc directly:
/// <c>fdatasync</c> for appends into space already written (zeros), which skips the inode's timestamps and so costs a
/// fraction of <c>fsync</c>; and <c>fsync</c> on the folder, since a file's own fsync does not make its name durable
/// and .NET cannot open a folder. Elsewhere it falls back to <see cref="RandomAccess.FlushToDisk"/> and skips the folder.
/// </summary>
public static class DiskFlush
{
    // O_RDONLY: a directory opens read-only without O_DIRECTORY, whose value differs between architectures.
    private const int ReadOnly = 0;

    /// <summary>The file's data and whatever metadata reading it back needs (its size), not its timestamps.</summary>
    public static void Data(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (Fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed with errno {Marshal.GetLastPInvokeError()}.");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>Everything about the file, size and timestamps included.</summary>
    public static void All(SafeFileHandle file) => RandomAccess.FlushToDisk(file);

    /// <summary>Makes the names of files created or deleted in <paramref name="directory"/> durable.</summary>
    public static void Directory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = Fsync(fd);
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

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fdatasync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
