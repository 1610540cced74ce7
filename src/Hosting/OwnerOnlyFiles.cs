using Microsoft.Win32.SafeHandles;

namespace Skylark.Events.Hosting;

/// <summary>
/// Files and folders only the service's own user may read: the broker's journal (event data), the dead-letter log,
/// the endpoints file <c>skylark up</c> writes (Redis passwords). The mode is given at creation, so there is no moment
/// a file exists with the umask's wider mode; a file that already exists with a wider mode is narrowed. Windows has no
/// Unix modes, and there these create files as usual.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>0600.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0700.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Any permission for the group or others.</summary>
    public const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> with mode 0700 if it is missing (an existing folder keeps its mode).</summary>
    public static DirectoryInfo CreateFolder(string path) =>
        OperatingSystem.IsWindows() ? Directory.CreateDirectory(path) : Directory.CreateDirectory(path, FolderMode);

    /// <summary>Opens <paramref name="path"/> as <see cref="FileStream"/> would, creating it with mode 0600.</summary>
    public static FileStream Open(string path, System.IO.FileMode mode, FileAccess access, FileShare share = FileShare.Read, int bufferSize = 4096)
    {
        var file = OpenWithoutNarrowing(path, mode, access, share, bufferSize);
        try
        {
            Narrow(file.SafeFileHandle);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="Open"/>, but an existing file keeps its mode: for a caller that narrows it with <see cref="Narrow"/>
    /// itself, to report it.
    /// </summary>
    public static FileStream OpenWithoutNarrowing(string path, System.IO.FileMode mode, FileAccess access, FileShare share, int bufferSize)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return new FileStream(path, options);
    }

    /// <summary>Opens a handle as <see cref="File.OpenHandle"/> would, creating the file with mode 0600.</summary>
    public static SafeFileHandle OpenHandle(string path, System.IO.FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        if (!OperatingSystem.IsWindows() && mode is System.IO.FileMode.OpenOrCreate or System.IO.FileMode.Create or System.IO.FileMode.CreateNew)
        {
            // File.OpenHandle takes no creation mode; creating the file through a FileStream first gives it one.
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = mode == System.IO.FileMode.CreateNew ? mode : System.IO.FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite,
                UnixCreateMode = FileMode,
            });
            mode = mode == System.IO.FileMode.Create ? System.IO.FileMode.Truncate : System.IO.FileMode.Open;
        }

        var handle = File.OpenHandle(path, mode, access, share);
        try
        {
            Narrow(handle);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Drops the group's and others' permissions from an open file; returns the mode it had when it had any.</summary>
    public static UnixFileMode? Narrow(SafeFileHandle file)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(file);
        if ((mode & GroupOrOther) == 0)
        {
            return null;
        }

        File.SetUnixFileMode(file, mode & ~GroupOrOther);
        return mode;
    }
}
