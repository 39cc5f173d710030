using System.Globalization;

namespace SweepGrid.Cluster.Workers;

/// <summary>
/// The command line of a worker process: the sweepgrid executable and its hidden `worker` command
/// (<paramref name="FileName"/> and <paramref name="Arguments"/>), and the memory it may use.
/// </summary>
/// <param name="Memory">What the worker may use, and how that is enforced; null: no limit.</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments, WorkerMemory? Memory = null)
{
    /// <summary>
    /// The program and arguments to start: the command itself; under an address-space limit,
    /// `/bin/sh -c 'ulimit -v KiB; exec "$0" "$@"'` around it (RLIMIT_AS must be set before the runtime
    /// starts, as it sizes its reservations by it, and .NET cannot set it between fork and exec); in a
    /// memory cgroup, `/bin/sh -c 'echo $$ > PROCS; exec "$@"'`, so that the worker is in its group before
    /// it allocates anything.
    /// </summary>
    /// <param name="group">The worker's memory cgroup, with <see cref="CgroupLimit"/>.</param>
    public (string FileName, IReadOnlyList<string> Arguments) ToStart(WorkerCgroup? group = null)
    {
        if (group is not null) return ("/bin/sh", ["-c", "echo $$ > \"$0\" && exec \"$@\"", group.ProcsFile, FileName, .. Arguments]);
        if (Memory is not AddressSpaceLimit { AddressSpaceBytes: var bytes }) return (FileName, Arguments);
        var kib = Math.Max(1, bytes / 1024).ToString(CultureInfo.InvariantCulture);
        return ("/bin/sh", ["-c", $"ulimit -v {kib} && exec \"$0\" \"$@\"", FileName, .. Arguments]);
    }

    /// <summary>Variables the worker is started with (those of <see cref="Memory"/>).</summary>
    public IReadOnlyDictionary<string, string> Environment => Memory?.Environment ?? new Dictionary<string, string>();
}

/// <summary>
/// The memory one trial may use (--slot-memory), and how it is enforced: a memory cgroup per worker where
/// this process can make one (<see cref="CgroupLimit"/>), else an address-space limit (<see cref="AddressSpaceLimit"/>).
/// </summary>
public abstract record WorkerMemory(long LimitBytes)
{
    public abstract IReadOnlyDictionary<string, string> Environment { get; }
}

/// <summary>
/// The kernel counts what the worker uses and kills it past the limit, saying so (<see cref="MemoryCgroups"/>).
/// The .NET GC reads the group's limit itself; glibc is held to two malloc arenas, as under the other limit.
/// </summary>
public sealed record CgroupLimit(long LimitBytes, MemoryCgroups Cgroups) : WorkerMemory(LimitBytes)
{
    public override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string> { ["MALLOC_ARENA_MAX"] = "2" };
}

/// <summary>
/// A slot's memory limit, as enforced where no memory cgroup can be made for the worker: RLIMIT_AS, which
/// counts address space, not memory. The .NET runtime and libtorch reserve gigabytes of address space
/// they never touch (the GC's region range, the code heap), so a limit of the user's size alone left no
/// room to train (under 3G a worker could not even load a native library). Instead the worker may map
/// what an idle worker maps under the same settings (<paramref name="BaselineBytes"/>, measured on this
/// machine) plus the limit; the managed heap is held to the limit (DOTNET_GCHeapHardLimit) inside a region
/// range of twice that (DOTNET_GCRegionRange), and glibc to two malloc arenas (each arena reserves 64 MB
/// of address space per thread that touches it).
/// </summary>
/// <param name="LimitBytes">What the user asked for: the memory one trial may use.</param>
/// <param name="BaselineBytes">The address space an idle worker maps after loading libtorch, under <see cref="Environment"/>.</param>
/// <param name="WhyNoCgroup">Why no memory cgroup could be made, for the header; null where none was asked for.</param>
public sealed record AddressSpaceLimit(long LimitBytes, long BaselineBytes, string? WhyNoCgroup) : WorkerMemory(LimitBytes)
{
    public long AddressSpaceBytes => BaselineBytes + LimitBytes;

    public override IReadOnlyDictionary<string, string> Environment => For(LimitBytes);

    /// <summary>The variables a worker under <paramref name="limitBytes"/> runs with (and its baseline is measured with).</summary>
    /// <remarks>
    /// The GC's region range is set too (twice the heap's limit): left to itself the GC sizes it by the
    /// address-space limit it finds, so a worker started under baseline + limit reserved less than the
    /// probe that measured the baseline (which ran without one), and the difference became room for native
    /// allocations beyond the limit (a 6.4 GB model then fit under 4G). Set, it is the same in both.
    /// </remarks>
    public static IReadOnlyDictionary<string, string> For(long limitBytes) => new Dictionary<string, string>
    {
        ["MALLOC_ARENA_MAX"] = "2",
        ["DOTNET_GCHeapHardLimit"] = Hex(limitBytes),
        ["DOTNET_GCRegionRange"] = Hex(2 * limitBytes),
    };

    private static string Hex(long bytes) => "0x" + bytes.ToString("X", CultureInfo.InvariantCulture);
}
