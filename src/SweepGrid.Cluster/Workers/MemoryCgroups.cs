using System.Globalization;
using SweepGrid.Core.Slots;

namespace SweepGrid.Cluster.Workers;

/// <summary>
/// A node's memory cgroup for its workers (--slot-memory where the kernel lets this process make one):
/// a group of its own, sweepgrid-PID, under this process's group, and in it one group per worker whose
/// limit is the slot's, swap included. The kernel then counts what a worker really uses (not the address
/// space it maps) and, past the limit, kills it and records that it did (oom_kill in memory.events, or
/// memory.oom_control on v1), so the trial's reason can say "out of memory" instead of guessing from
/// SIGKILL. Works where this process may write its own cgroup: root on a machine or in a privileged
/// container, a delegated systemd scope, a pod with a writable /sys/fs/cgroup.
/// </summary>
public sealed class MemoryCgroups
{
    private readonly CgroupPlace _place;

    /// <summary>Numbers the workers' groups across the process: two nodes in one process (tests) share the node's group.</summary>
    private static int _workers;

    private MemoryCgroups(CgroupPlace place, string nodeGroup, long limitBytes)
    {
        _place = place;
        NodeGroup = nodeGroup;
        LimitBytes = limitBytes;
    }

    /// <summary>The folder of this node's group; its workers' groups are in it.</summary>
    public string NodeGroup { get; }

    public int Version => _place.Version;

    public long LimitBytes { get; }

    /// <summary>
    /// This node's group under the first place that takes one (<see cref="CgroupPlaces"/>), checked by making
    /// and removing a worker's group with its limit; null, and why not, where none can be made.
    /// </summary>
    public static MemoryCgroups? TryCreate(long limitBytes, out string whyNot)
    {
        IReadOnlyList<CgroupPlace> places;
        try
        {
            places = CgroupPlaces.Find(File.ReadAllText("/proc/self/mountinfo"), File.ReadAllText("/proc/self/cgroup"));
        }
        catch (IOException e)
        {
            whyNot = $"cannot read this process's cgroups ({e.Message})";
            return null;
        }

        whyNot = "no memory cgroup hierarchy is mounted";
        foreach (var place in places)
        {
            try
            {
                var groups = Create(place, limitBytes);
                groups.Enter().Remove();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => groups.RemoveAll();
                return groups;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                whyNot = $"cgroup v{place.Version} at {place.Directory}: {e.Message}";
            }
        }

        return null;
    }

    private static MemoryCgroups Create(CgroupPlace place, long limitBytes)
    {
        RemoveStale(place.Directory);
        var nodeGroup = Path.Combine(place.Directory, $"sweepgrid-{Environment.ProcessId}");
        if (place.Version == 2)
        {
            if (!Words(Path.Combine(place.Directory, "cgroup.controllers")).Contains("memory"))
            {
                throw new IOException("the memory controller is not available to this group (cgroup.controllers)");
            }

            Delegate(place.Directory);
            Directory.CreateDirectory(nodeGroup);
            EnableMemory(nodeGroup);
        }
        else
        {
            Directory.CreateDirectory(nodeGroup);
        }

        return new MemoryCgroups(place, nodeGroup, limitBytes);
    }

    /// <summary>
    /// cgroup v2 lets a group hand a controller to its children only while it holds no process itself
    /// ("no internal processes"): this process's group usually holds it (and in a container, the rest of
    /// the container's processes), so they move to a leaf of their own, sweepgrid-rest, first. Their limits
    /// are unchanged (a child is held by its parent's).
    /// </summary>
    private static void Delegate(string group)
    {
        if (Words(Path.Combine(group, "cgroup.subtree_control")).Contains("memory")) return;
        var procs = Path.Combine(group, "cgroup.procs");
        if (File.ReadAllText(procs).Trim().Length > 0)
        {
            var rest = Path.Combine(group, "sweepgrid-rest");
            Directory.CreateDirectory(rest);
            foreach (var pid in File.ReadAllLines(procs).Where(l => l.Trim().Length > 0))
            {
                try
                {
                    File.WriteAllText(Path.Combine(rest, "cgroup.procs"), pid.Trim());
                }
                catch (IOException)
                {
                    // It exited meanwhile, or is a kernel thread that cannot move.
                }
            }
        }

        EnableMemory(group);
    }

    private static void EnableMemory(string group) => File.WriteAllText(Path.Combine(group, "cgroup.subtree_control"), "+memory");

    /// <summary>A new group for one worker, with the slot's limit set; the worker's launcher enters it before it execs.</summary>
    public WorkerCgroup Enter()
    {
        var directory = Path.Combine(NodeGroup, $"worker-{Interlocked.Increment(ref _workers)}");
        Directory.CreateDirectory(directory);
        var limit = LimitBytes.ToString(CultureInfo.InvariantCulture);
        if (Version == 2)
        {
            Write(directory, "memory.max", limit);
            WriteIfPresent(directory, "memory.swap.max", "0");
            // A worker's child processes go with it: the whole group is the unit the kernel kills.
            WriteIfPresent(directory, "memory.oom.group", "1");
        }
        else
        {
            Write(directory, "memory.limit_in_bytes", limit);
            // Memory plus swap at the same limit: no swap. Absent where the kernel does not account swap.
            WriteIfPresent(directory, "memory.memsw.limit_in_bytes", limit);
        }

        return new WorkerCgroup(directory, Version);
    }

    /// <summary>At the node's exit: its workers have been killed; their groups and its own go (rmdir of empty groups).</summary>
    private void RemoveAll()
    {
        foreach (var worker in Directory.EnumerateDirectories(NodeGroup, "worker-*")) WorkerCgroup.TryRemove(worker);
        WorkerCgroup.TryRemove(NodeGroup);
    }

    /// <summary>Groups a node killed with SIGKILL left behind: those of a process that no longer runs, once empty.</summary>
    private static void RemoveStale(string place)
    {
        foreach (var group in Directory.EnumerateDirectories(place, "sweepgrid-*"))
        {
            if (!int.TryParse(Path.GetFileName(group)["sweepgrid-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ||
                Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            foreach (var worker in Directory.EnumerateDirectories(group, "worker-*")) WorkerCgroup.TryRemove(worker);
            WorkerCgroup.TryRemove(group);
        }
    }

    private static void Write(string group, string file, string value) => File.WriteAllText(Path.Combine(group, file), value);

    private static void WriteIfPresent(string group, string file, string value)
    {
        if (File.Exists(Path.Combine(group, file))) Write(group, file, value);
    }

    private static string[] Words(string file) => File.ReadAllText(file).Split(' ', '\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>"2 slot(s) of at most 1 GiB (…)": how the limit is enforced.</summary>
    public string Describe => $"a memory cgroup v{Version} per worker in {NodeGroup}";
}

/// <summary>One worker's memory cgroup: its process enters it before it execs (<see cref="WorkerCommand.ToStart"/>).</summary>
public sealed class WorkerCgroup(string directory, int version)
{
    /// <summary>The file a process writes its pid to, to enter the group.</summary>
    public string ProcsFile => Path.Combine(directory, "cgroup.procs");

    /// <summary>Whether the kernel killed a process of this group for passing its limit: the oom_kill count of memory.events (v2) or memory.oom_control (v1).</summary>
    public bool OutOfMemoryKilled()
    {
        try
        {
            var file = Path.Combine(directory, version == 2 ? "memory.events" : "memory.oom_control");
            return File.ReadAllLines(file).Select(line => line.Split(' ')).Any(f => f.Length == 2 && f[0] == "oom_kill" && f[1] != "0");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Removes the group once its process has exited (the kernel may take a moment to empty it).</summary>
    public void Remove()
    {
        for (int i = 0; i < 20 && !TryRemove(directory); i++) Thread.Sleep(50);
    }

    internal static bool TryRemove(string group)
    {
        try
        {
            Directory.Delete(group);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return !Directory.Exists(group);
        }
    }
}
