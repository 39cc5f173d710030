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
    /// The program and arguments to start: the command itself, or under a limit, `/bin/sh -c 'ulimit -v KiB; exec "$0" "$@"'`
    /// around it. RLIMIT_AS must be set before the runtime starts (it sizes its reservations by it), so the
    /// worker cannot set it on itself, and .NET cannot set it between fork and exec.
    /// </summary>
    public (string FileName, IReadOnlyList<string> Arguments) ToStart()
    {
        if (Memory is not { AddressSpaceBytes: var bytes }) return (FileName, Arguments);
        var kib = Math.Max(1, bytes / 1024).ToString(CultureInfo.InvariantCulture);
        return ("/bin/sh", ["-c", $"ulimit -v {kib} && exec \"$0\" \"$@\"", FileName, .. Arguments]);
    }

    /// <summary>Variables the worker is started with (those of <see cref="Memory"/>).</summary>
    public IReadOnlyDictionary<string, string> Environment => Memory?.Environment ?? new Dictionary<string, string>();
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
public sealed record WorkerMemory(long LimitBytes, long BaselineBytes)
{
    public long AddressSpaceBytes => BaselineBytes + LimitBytes;

    public IReadOnlyDictionary<string, string> Environment => For(LimitBytes);

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
