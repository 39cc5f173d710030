namespace SweepGrid.Core.Workers;

/// <summary>
/// Why a worker process ended, in the words stored with the trial it was running: its own failure,
/// so the reason must let a researcher tell an out-of-memory kill from a native abort or a CUDA fault.
/// </summary>
public static class WorkerExit
{
    /// <summary>
    /// The exit code of a worker that stopped because its node sent nothing for its silence limit (the
    /// node was frozen, and downed by now): not the trial's failure. 75 is EX_TEMPFAIL.
    /// </summary>
    public const int NodeSilent = 75;

    private const string OutOfMemoryWords = "out of memory: the kernel killed it at its limit of ";

    /// <summary>
    /// What a worker's end is told with when its memory cgroup recorded an OOM kill: the kernel's record,
    /// not the guess that SIGKILL allows. It stands in for the worker's last stderr line.
    /// </summary>
    public static string OutOfMemory(long limitBytes) => $"{OutOfMemoryWords}{ByteSize.Describe(limitBytes)} (--slot-memory; its memory cgroup counted an OOM kill)";

    /// <param name="exitCode">As .NET reports it: 128 + the signal for a process a signal ended.</param>
    /// <param name="lastError">The last line the worker wrote to stderr (a native library's dying words), if any.</param>
    public static string Describe(int exitCode, string? lastError)
    {
        if (exitCode == NodeSilent) return "its worker process stopped on its own: its node had sent nothing for its silence limit (frozen, or downed)";
        if (lastError?.StartsWith(OutOfMemoryWords, StringComparison.Ordinal) == true) return $"its worker process died: {lastError}";
        var what = exitCode > 128 && exitCode < 128 + 65 ? Signal(exitCode - 128) : $"exit code {exitCode}";
        return string.IsNullOrWhiteSpace(lastError) ? $"its worker process died: {what}" : $"its worker process died: {what}: {Clip(lastError.Trim())}";
    }

    private static string Signal(int signal) => signal switch
    {
        4 => "signal 4 (illegal instruction)",
        6 => "signal 6 (aborted: a native library gave up, e.g. libtorch's std::terminate)",
        7 => "signal 7 (bus error)",
        8 => "signal 8 (floating-point exception)",
        9 => "signal 9 (killed: out of memory? the kernel's OOM killer and cgroup limits send SIGKILL)",
        11 => "signal 11 (segmentation fault)",
        15 => "signal 15 (terminated)",
        _ => $"signal {signal}",
    };

    private static string Clip(string line) => line.Length <= 300 ? line : line[..300] + "…";
}
