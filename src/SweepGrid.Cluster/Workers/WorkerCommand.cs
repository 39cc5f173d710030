using System.Globalization;

namespace SweepGrid.Cluster.Workers;

/// <summary>
/// The command line of a worker process: the sweepgrid executable and its hidden `worker` command
/// (<paramref name="FileName"/> and <paramref name="Arguments"/>), and the memory it may use.
/// </summary>
/// <param name="MemoryLimitBytes">
/// The most address space the worker may map (RLIMIT_AS, set before it starts): a trial too large for
/// the machine then fails inside its worker with the allocator's message, instead of the kernel's
/// OOM killer picking the node. Null: no limit.
/// </param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments, long? MemoryLimitBytes = null)
{
    /// <summary>
    /// The program and arguments to start: the command itself, or under a limit, `/bin/sh -c 'ulimit -v KiB; exec "$0" "$@"'`
    /// around it. RLIMIT_AS must be set before the runtime starts (it sizes its reservations by it), so the
    /// worker cannot set it on itself, and .NET cannot set it between fork and exec.
    /// </summary>
    public (string FileName, IReadOnlyList<string> Arguments) ToStart()
    {
        if (MemoryLimitBytes is not { } bytes) return (FileName, Arguments);
        var kib = Math.Max(1, bytes / 1024).ToString(CultureInfo.InvariantCulture);
        return ("/bin/sh", ["-c", $"ulimit -v {kib} && exec \"$0\" \"$@\"", FileName, .. Arguments]);
    }
}
