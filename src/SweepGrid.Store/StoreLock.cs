namespace SweepGrid.Store;

/// <summary>
/// The one process that hosts a store's sweeps on this machine (`run`, `resume`, and the controls
/// against a store): an exclusive lock on run.lock in the store's folder, held while the process runs and
/// released by the kernel if it dies. Two such processes would each recover the same coordinators and
/// write the same journal entries; the second is told which store is in use instead. (.NET takes a
/// FileShare.None file with flock(LOCK_EX) on Linux, so the lock holds between processes.)
/// </summary>
public sealed class StoreLock : IDisposable
{
    public const string FileName = "run.lock";

    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <exception cref="StoreInUseException">Another process holds the store.</exception>
    /// <exception cref="Core.Files.RefusedFileException">run.lock is not a regular file (a FIFO would block the open, a link lead elsewhere).</exception>
    public static StoreLock Take(string directory)
    {
        var path = Path.Combine(directory, FileName);
        try
        {
            using var existing = Core.Files.RegularFile.OpenRead(path, maxBytes: 1024, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            // The first process on this store makes it.
        }

        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            // Who holds it, for the message another process prints.
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true)) writer.Write(Environment.ProcessId);
            file.Flush();
            return new StoreLock(file);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new StoreInUseException(directory, HolderOf(path));
        }
    }

    /// <summary>The process id the holder wrote, if it can be read (the lock is advisory: reading is allowed).</summary>
    private static int? HolderOf(string path)
    {
        try
        {
            var text = Core.Files.RegularFile.ReadAllText(path, maxBytes: 16);
            return int.TryParse(text, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or Core.Files.RefusedFileException)
        {
            return null;
        }
    }

    private int _released;

    /// <summary>Releases the lock; once, whichever of the node's disposal and its actor system's termination comes first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _file.Dispose();
    }
}

/// <summary>Another SweepGrid process on this machine runs the store's sweeps now.</summary>
public sealed class StoreInUseException(string directory, int? processId)
    : Exception($"store {directory} is in use by another sweepgrid process{(processId is { } pid ? $" (pid {pid})" : "")} that runs its sweeps; " +
                "stop it first (Ctrl-C: its trials are handed back, checkpointed), or wait for it to end");
