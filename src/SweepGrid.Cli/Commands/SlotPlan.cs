using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using SweepGrid.Cluster.Slots;
using SweepGrid.Cluster.Workers;
using SweepGrid.Core.Workers;
using SweepGrid.Core.Slots;

namespace SweepGrid.Cli.Commands;

/// <summary>
/// The options of the commands that train (`run`, `resume`, `node`), declared once, and the slots
/// they ask for: each slot's device and the command line of its worker process.
/// </summary>
internal sealed class SlotOptions
{
    public Option<int?> Slots { get; }

    public Option<string?> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu)" };

    public Option<string?> SlotMemory { get; } = new("--slot-memory")
    {
        Description = "Most memory one trial may use, e.g. 8G (at least 256M; a memory cgroup per worker where one can be made, else RLIMIT_AS above what an idle " +
                      "worker maps: the header says which); a trial that needs more fails, naming memory, instead of the machine running out. " +
                      "Default: sweepgrid.slots.memory in sweepgrid.conf (off)",
    };

    public Option<string?> SlotMemoryEnforcement { get; } = new("--slot-memory-enforcement")
    {
        Description = "How --slot-memory is enforced: auto (a memory cgroup where this process can make one, else RLIMIT_AS), cgroup (refuse to start without one), " +
                      "or rlimit. Default: sweepgrid.slots.memory-enforcement in sweepgrid.conf (auto)",
    };

    /// <summary>For benchmarks and tests of the cluster's bookkeeping: trials that train nothing.</summary>
    public Option<string> TrialRunner { get; } = new("--trial-runner") { Description = "torch, or noop[:SECONDS]", DefaultValueFactory = _ => "torch", Hidden = true };

    /// <summary>For the tests of failure attribution: the worker of a trial with this seed aborts natively after its first epoch.</summary>
    public Option<int?> TestAbortSeed { get; } = new("--test-abort-seed") { Hidden = true };

    public SlotOptions(string slotsDescription) => Slots = new Option<int?>("--slots") { Description = slotsDescription };

    public IEnumerable<Option> All => [Slots, Device, SlotMemory, SlotMemoryEnforcement, TrialRunner, TestAbortSeed];

    public SlotArguments Read(ParseResult result) =>
        new(result.GetValue(Slots), result.GetValue(Device), result.GetValue(SlotMemory), result.GetValue(TrialRunner)!, result.GetValue(TestAbortSeed),
            result.GetValue(SlotMemoryEnforcement));
}

/// <param name="SlotMemory">As given on the command line; null: the configuration's.</param>
/// <param name="SlotMemoryEnforcement">auto, cgroup or rlimit, as given; null: the configuration's.</param>
internal sealed record SlotArguments(int? Slots, string? Device, string? SlotMemory, string TrialRunner = "torch", int? TestAbortSeed = null,
    string? SlotMemoryEnforcement = null);

/// <summary>Turns <see cref="SlotArguments"/> into the node's slots, checking every value before anything starts.</summary>
internal static class SlotPlan
{
    public const string MemoryKey = "sweepgrid.slots.memory";

    public const string NodeSilenceKey = "sweepgrid.slots.node-silence";

    public const string EnforcementKey = "sweepgrid.slots.memory-enforcement";

    /// <exception cref="UserError">A device this machine lacks, a slot count below 1 or more than fit in memory, a memory size that is not one.</exception>
    /// <param name="warn">Told what the user should know about the slots (more CPU slots than cores).</param>
    public static NodeSlots Build(SlotArguments a, int cpuDefault, Config config, Action<string>? warn = null)
    {
        if (a.TrialRunner != TrialRunnerChoice.Torch && TrialRunnerChoice.NoOpDuration(a.TrialRunner) is null)
        {
            throw new UserError($"--trial-runner: must be torch, noop or noop:SECONDS, got \"{a.TrialRunner}\"");
        }

        long? memory = Memory(a.SlotMemory, config);
        var enforcement = Enforcement(a.SlotMemoryEnforcement, config);
        var silence = NodeSilence(config);
        IReadOnlyList<string> devices;
        try
        {
            devices = SlotDevices.Plan(a.Slots, a.Device, CudaDevices(a), cpuDefault);
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }

        // The container's memory limit where there is one (the GC reads it), else the machine's.
        var capacity = SlotCapacity.Judge(devices, Environment.ProcessorCount, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        if (capacity.Refusal is { } refusal) throw new UserError(refusal);
        if (capacity.Warning is { } warning) warn?.Invoke(warning);
        int threads = SlotDevices.ThreadsForSlots(devices.Count);
        List<string> worker = ["worker", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--trial-runner", a.TrialRunner];
        if (a.TestAbortSeed is { } seed) worker.AddRange(["--test-abort-seed", seed.ToString(CultureInfo.InvariantCulture)]);
        if (silence is { } limit) worker.AddRange(["--node-silence", limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)]);
        // A no-op runner (tests, benchmarks) loads no libtorch and trains nothing to limit.
        var workerMemory = memory is { } bytes && a.TrialRunner == TrialRunnerChoice.Torch ? Enforced(bytes, enforcement, threads) : null;
        return new NodeSlots(devices, new ProcessWorkerLauncher(ThisInstallation(worker, workerMemory)));
    }

    /// <summary>A memory cgroup per worker where one can be made (and the user did not ask for rlimit), else RLIMIT_AS above the measured baseline.</summary>
    private static WorkerMemory Enforced(long bytes, string enforcement, int threads)
    {
        string? whyNot = null;
        if (enforcement != "rlimit")
        {
            if (MemoryCgroups.TryCreate(bytes, out var reason) is { } groups) return new CgroupLimit(bytes, groups);
            if (enforcement == "cgroup") throw new UserError($"--slot-memory-enforcement cgroup: no memory cgroup can be made here: {reason}");
            whyNot = reason;
        }

        return new AddressSpaceLimit(bytes, Baseline(threads, bytes), whyNot);
    }

    private static string Enforcement(string? option, Config config)
    {
        var (text, source) = option is not null ? (option, "--slot-memory-enforcement")
            : config.HasPath(EnforcementKey) ? (config.GetString(EnforcementKey), EnforcementKey)
            : ("auto", "");
        return text is "auto" or "cgroup" or "rlimit" ? text : throw new UserError($"{source}: must be auto, cgroup or rlimit; got \"{text}\"");
    }

    /// <summary>The node slots of a process that trains nothing (a `submit` client, a coordinator-only node).</summary>
    public static NodeSlots None => new([], new ProcessWorkerLauncher(ThisInstallation(["worker"], null)));

    /// <summary>
    /// "2 slot(s)" on CPU, "4 slot(s) on cuda:0, cuda:1, cuda:0, cuda:1" on GPUs; with the memory limit if
    /// any, and how it is enforced (the workers' cgroups, or the address space it allows and what of it the
    /// runtime takes, and why there is no cgroup).
    /// </summary>
    public static string Describe(NodeSlots slots)
    {
        var where = slots.Devices.All(d => d == "cpu") ? $"{slots.Count} slot(s)" : $"{slots.Count} slot(s) on {string.Join(", ", slots.Devices)}";
        return ((ProcessWorkerLauncher)slots.Launcher).Command.Memory switch
        {
            CgroupLimit c => $"{where} of at most {ByteSize.Describe(c.LimitBytes)} ({c.Cgroups.Describe})",
            AddressSpaceLimit m => $"{where} of at most {ByteSize.Describe(m.LimitBytes)} (RLIMIT_AS {ByteSize.Describe(m.AddressSpaceBytes)}: " +
                                   $"{ByteSize.Describe(m.BaselineBytes)} the runtime and libtorch map before training + {ByteSize.Describe(m.LimitBytes)}" +
                                   (m.WhyNoCgroup is { } why ? $"; no memory cgroup: {why})" : ")"),
            _ => where,
        };
    }

    /// <summary>
    /// The address space an idle worker maps on this machine under a limit of <paramref name="limit"/>,
    /// asked of a short-lived worker started as the slots' will be (same settings, same threads).
    /// </summary>
    private static long Baseline(int threads, long limit)
    {
        var command = ThisInstallation(["worker", "--print-address-space", "--threads", threads.ToString(CultureInfo.InvariantCulture)], null);
        var start = new ProcessStartInfo(command.FileName, command.Arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in AddressSpaceLimit.For(limit)) start.Environment[name] = value;
        using var probe = Process.Start(start)!;
        var error = probe.StandardError.ReadToEndAsync();
        var answer = probe.StandardOutput.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode == 0 && long.TryParse(answer.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) && bytes > 0
            ? bytes
            : throw new InvalidOperationException($"--slot-memory: could not measure what a worker maps before training (exit {probe.ExitCode}): {error.Result.Trim()}");
    }

    private static long? Memory(string? option, Config config)
    {
        var (text, source) = option is not null ? (option, "--slot-memory")
            : config.HasPath(MemoryKey) ? (config.GetString(MemoryKey), MemoryKey)
            : ((string?)null, "");
        if (text is null or "off") return null;
        return ByteSize.Parse(text) is { } bytes && bytes >= MinimumMemory
            ? bytes
            : throw new UserError($"{source}: must be a size of at least 256M (e.g. 8G), or off; got \"{text}\"");
    }

    /// <summary>sweepgrid.slots.node-silence: off, or a duration of at least <see cref="MinimumSilence"/>.</summary>
    private static TimeSpan? NodeSilence(Config config)
    {
        if (!config.HasPath(NodeSilenceKey) || config.GetString(NodeSilenceKey) is "off") return null;
        TimeSpan silence;
        try
        {
            silence = config.GetTimeSpan(NodeSilenceKey);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new UserError($"{NodeSilenceKey}: must be a duration such as 30s, or off; got \"{config.GetString(NodeSilenceKey)}\"");
        }

        return silence >= MinimumSilence
            ? silence
            : throw new UserError($"{NodeSilenceKey}: must be at least {MinimumSilence.TotalSeconds:F0}s (a node's alive frames come every second, and a busy node is late with some), or off; got {config.GetString(NodeSilenceKey)}");
    }

    private static readonly TimeSpan MinimumSilence = TimeSpan.FromSeconds(10);

    /// <summary>Less than an idle worker holds (about 160 MB resident with libtorch loaded): no trial could run.</summary>
    private const long MinimumMemory = 256L << 20;

    /// <summary>
    /// The CUDA devices here, asked of a short-lived worker (the node process never loads libtorch).
    /// Not asked at all where there is no NVIDIA driver, or where the device is named cpu.
    /// </summary>
    private static int CudaDevices(SlotArguments a)
    {
        if (a.Device == "cpu" || !File.Exists("/dev/nvidiactl")) return 0;
        var (fileName, arguments) = ThisInstallation(["worker", "--count-cuda-devices"], null).ToStart();
        using var probe = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var answer = probe.StandardOutput.ReadToEnd();
        probe.WaitForExit();
        return int.TryParse(answer.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
    }

    /// <summary>
    /// This installation's sweepgrid executable with <paramref name="arguments"/>: the apphost next to
    /// this assembly (a published or built `sweepgrid`), else `dotnet sweepgrid.dll`.
    /// </summary>
    private static WorkerCommand ThisInstallation(IReadOnlyList<string> arguments, WorkerMemory? memory)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "sweepgrid");
        if (File.Exists(apphost)) return new WorkerCommand(apphost, arguments, memory);
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        return new WorkerCommand(host, [Path.Combine(AppContext.BaseDirectory, "sweepgrid.dll"), .. arguments], memory);
    }
}
