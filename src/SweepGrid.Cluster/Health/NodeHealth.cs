using System.Text.Json;

namespace SweepGrid.Cluster.Health;

/// <summary>
/// What a running node last found out about itself, written to its health file every few seconds and
/// read by `sweepgrid health` (Kubernetes' probes run that command in the node's container).
/// </summary>
/// <param name="Member">This node's cluster membership status as Akka names it: Joining, Up, Leaving, Exiting, Down, Removed.</param>
/// <param name="StoreError">Why the store did not answer; null when it did.</param>
public sealed record NodeHealth(string Address, string Member, bool StoreReachable, string? StoreError, DateTimeOffset CheckedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// The default file of the node on this remoting port: in a folder of this user's own in the
    /// temporary folder (sweepgrid-USER, mode 700), not in the temporary folder itself, where anyone
    /// could plant a symbolic link at a name a node is known to write.
    /// </summary>
    public static string DefaultPath(int port) => Path.Combine(Path.GetTempPath(), $"sweepgrid-{Environment.UserName}", $"sweepgrid-node-{port}.health.json");

    /// <summary>
    /// Replaces the file in one step, so a reader never sees half of it. The new contents go to a file
    /// that did not exist (O_EXCL: a symbolic link planted there makes this fail, never writes through
    /// it), which is then renamed over the health file (a rename replaces a link, it does not follow it).
    /// The default folder is created private; an existing one must be a real folder, private to this user.
    /// Another folder is created when missing (a fresh container's temporary folder has none of them).
    /// </summary>
    /// <exception cref="IOException">The folder is a symbolic link or open to others.</exception>
    public void Write(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (folder == Path.GetDirectoryName(Path.GetFullPath(DefaultPath(0)))) EnsurePrivateFolder(folder);
        else Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, this, Json);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static void EnsurePrivateFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) return; // per-user temp folders there
        if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var info = new DirectoryInfo(folder);
        if (info.LinkTarget is not null || (info.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new IOException($"{folder}: must be a folder of this user's, writable by no one else (it is a link, or open to others)");
        }
    }

    /// <summary>
    /// Deletes the file if there is one. A missing folder is no error: on a machine where no node has run
    /// yet the default folder does not exist, and File.Delete would throw for it.
    /// </summary>
    public static void Remove(string path)
    {
        if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>The file's contents; null when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is not a health file.</exception>
    public static NodeHealth? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            // A health file is a few hundred bytes; a FIFO or an endless file in its place is refused unread.
            return JsonSerializer.Deserialize<NodeHealth>(Core.Files.RegularFile.ReadAllText(path, 1 << 20), Json)
                   ?? throw new InvalidDataException($"{path}: empty health file");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a health file ({e.Message})", e);
        }
    }
}
