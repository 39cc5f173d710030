using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SweepGrid.Core.Files;

/// <summary>
/// Opens a file that SweepGrid did not just write itself (in the store: logs, checkpoints, weights, a
/// health file; a dataset) only if it is a regular file of bounded size. Anything else is refused with
/// <see cref="RefusedFileException"/> before a byte is read: a FIFO would block its reader forever, a
/// link to /dev/zero or another endless device would be read until memory runs out, and a link may
/// lead out of the store. On Linux the file is opened with O_NOFOLLOW|O_NONBLOCK (a FIFO's open does
/// not wait for a writer) and its type and size are taken from the open descriptor (statx), so nothing
/// can swap it between the check and the read.
/// </summary>
public static class RegularFile
{
    /// <summary>Opens <paramref name="path"/> for reading, shared with writers and deleters.</summary>
    /// <param name="maxBytes">The largest size accepted; a larger file is refused, not read in part.</param>
    /// <param name="followLinks">
    /// Follow a symbolic link to the file it names (a dataset a user linked into place), whose type is
    /// then checked; by default a link is refused (nothing SweepGrid writes in its store is one).
    /// </param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="RefusedFileException">A link, a FIFO, a device, a directory, or larger than <paramref name="maxBytes"/>.</exception>
    public static FileStream OpenRead(string path, long maxBytes = long.MaxValue, int bufferSize = 4096, bool followLinks = false)
    {
        if (!OperatingSystem.IsLinux()) return OpenPortably(path, maxBytes, bufferSize, followLinks);
        int fd = open(path, OpenFlags(followLinks), 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENOENT or ENOTDIR => new FileNotFoundException($"{path}: no such file", path),
                ELOOP => new RefusedFileException(path, "a symbolic link"),
                EACCES or EPERM => new UnauthorizedAccessException($"{path}: permission denied"),
                _ => new IOException($"{path}: cannot be opened (errno {errno})"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var (mode, size) = Stat(handle, path);
            if ((mode & S_IFMT) != S_IFREG) throw new RefusedFileException(path, Describe(mode));
            if (size > maxBytes) throw new RefusedFileException(path, $"{size:N0} bytes, more than the {maxBytes:N0} expected at most");
            return new FileStream(handle, FileAccess.Read, bufferSize);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The whole file, if it is a regular file of at most <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, bool followLinks = false)
    {
        using var stream = OpenRead(path, maxBytes, bufferSize: 0, followLinks);
        // The size is checked on the descriptor, but a file may grow while it is read: read no more than the cap.
        var bytes = new byte[checked((int)Math.Min(stream.Length, maxBytes))];
        int total = 0, read;
        while (total < bytes.Length && (read = stream.Read(bytes, total, bytes.Length - total)) > 0) total += read;
        return total == bytes.Length ? bytes : bytes[..total];
    }

    public static string ReadAllText(string path, long maxBytes, bool followLinks = false) => Encoding.UTF8.GetString(ReadAllBytes(path, maxBytes, followLinks));

    private static FileStream OpenPortably(string path, long maxBytes, int bufferSize, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) throw new RefusedFileException(path, "a symbolic link");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize);
        if (stream.Length > maxBytes)
        {
            stream.Dispose();
            throw new RefusedFileException(path, $"{info.Length:N0} bytes, more than the {maxBytes:N0} expected at most");
        }

        return stream;
    }

    private static (uint Mode, long Size) Stat(SafeFileHandle handle, string path)
    {
        var buffer = new byte[StatxSize];
        if (statx((int)handle.DangerousGetHandle(), "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, buffer) != 0)
        {
            throw new IOException($"{path}: cannot be examined (errno {Marshal.GetLastPInvokeError()})");
        }

        // struct statx has the same layout on every architecture: stx_mode (u16) at 28, stx_size (u64) at 40.
        return (BitConverter.ToUInt16(buffer, 28), BitConverter.ToInt64(buffer, 40));
    }

    private static string Describe(uint mode) => (mode & S_IFMT) switch
    {
        S_IFIFO => "a FIFO (named pipe)",
        S_IFCHR => "a character device",
        S_IFBLK => "a block device",
        S_IFDIR => "a directory",
        S_IFSOCK => "a socket",
        _ => $"not a regular file (mode {Convert.ToString(mode & S_IFMT, 8)})",
    };

    /// <summary>O_RDONLY | O_NONBLOCK | O_CLOEXEC, and O_NOFOLLOW unless links are followed (its value differs on arm64).</summary>
    private static int OpenFlags(bool followLinks) =>
        0x800 | 0x80000 | (followLinks ? 0 : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000);

    private const int ENOENT = 2, EACCES = 13, EPERM = 1, ENOTDIR = 20, ELOOP = 40;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_TYPE = 0x1, STATX_SIZE = 0x200;
    private const int StatxSize = 256;
    private const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFDIR = 0x4000, S_IFSOCK = 0xC000;

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
}

/// <summary>A file refused before it was read: what it is instead of a regular file of a bounded size.</summary>
/// <remarks>Bad input, like a file whose contents are wrong: a command that meets one exits with code 2.</remarks>
public sealed class RefusedFileException(string path, string what) : IOException($"{path}: refused, {what}")
{
    public string Path { get; } = path;

    /// <summary>What the file is instead ("a FIFO (named pipe)", "a symbolic link", its size).</summary>
    public string What { get; } = what;
}
