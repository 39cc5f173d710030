namespace SweepGrid.Core.Slots;

/// <summary>
/// Whether a node's slots fit the machine it starts on. Each slot is a worker process that holds
/// libtorch, its dataset and its model: slots that cannot fit in memory are refused before any worker
/// starts (the kernel's OOM killer would otherwise pick them, or the node, mid-sweep); more CPU slots than
/// cores are allowed but said, since they only share the cores (each trial runs slower, none sooner).
/// Pure: the machine's numbers are arguments.
/// </summary>
public static class SlotCapacity
{
    /// <summary>
    /// The least a worker holds while it trains: measured 370–430 MB resident for a worker training the
    /// quick sweep's MLP on 10,000 Fashion-MNIST images (hocon/sweeps/quick.hocon). A larger model or
    /// dataset needs more; this bound only refuses what cannot possibly fit.
    /// </summary>
    public const long WorkerBytes = 384L << 20;

    /// <param name="Refusal">Why the slots cannot start here; null if they can.</param>
    /// <param name="Warning">What the user should know about them; null if nothing.</param>
    public sealed record Verdict(string? Refusal, string? Warning);

    /// <param name="devices">Each slot's device (cpu, cuda:N).</param>
    /// <param name="cores">This machine's (or container's) processors.</param>
    /// <param name="memoryBytes">The memory this process may use: the machine's, or its container's limit.</param>
    public static Verdict Judge(IReadOnlyList<string> devices, int cores, long memoryBytes)
    {
        long needed = devices.Count * WorkerBytes;
        if (needed > memoryBytes)
        {
            return new Verdict(
                $"--slots: {devices.Count} slots need at least {Gib(needed)} of memory ({Gib(WorkerBytes)} per worker), " +
                $"and this machine has {Gib(memoryBytes)}: use at most {Math.Max(1, memoryBytes / WorkerBytes)}", null);
        }

        int cpuSlots = devices.Count(d => d == "cpu");
        return cpuSlots > cores
            ? new Verdict(null, $"{cpuSlots} CPU slots on {cores} core(s): the trials share the cores, each runs slower and none finishes sooner than with {cores} slot(s)")
            : new Verdict(null, null);
    }

    private static string Gib(long bytes) => FormattableString.Invariant($"{bytes / (double)(1L << 30):F1} GiB");
}
