using System.Runtime.InteropServices;
using SweepGrid.Core.Workers;
using SweepGrid.Training.Runtime;
using SweepGrid.Training.Workers;

namespace SweepGrid.Worker;

/// <summary>
/// `sweepgrid worker` (internal, started by a training slot): runs the slot's trials in this process,
/// the only kind of SweepGrid process that loads libtorch, talking to the slot over stdin and stdout
/// (<see cref="TrialWorker"/>). One CUDA context per worker, so a sticky CUDA error dies with it.
/// </summary>
public static class WorkerProcess
{
    /// <param name="nodeSilence">Stop training once the node has sent nothing for this long (it is frozen, or downed); null: never.</param>
    public static int Run(int threads, string trialRunner, int? abortSeed, TimeSpan? nodeSilence = null)
    {
        double startup = TrialWorker.SecondsSinceProcessStart();
        var frames = TakeStdoutForFrames();
        ITrialRunner runner = NoOpTrialRunner.Parse(trialRunner) as ITrialRunner ?? TorchTrialRunner.Instance;
        if (runner is TorchTrialRunner)
        {
            // Loads libtorch now, so that the first trial does not pay for it (and it is measured as start-up).
            TorchRuntime.Set(threads);
            startup = TrialWorker.SecondsSinceProcessStart();
        }

        if (abortSeed is { } seed) runner = new AbortingTrialRunner(seed, runner);
        new TrialWorker(Console.OpenStandardInput(), frames, runner, () => _exit(0), nodeSilence, () => _exit(WorkerExit.NodeSilent)).Run(startup);
        return 0;
    }

    /// <summary>
    /// The address space this process maps once libtorch is loaded, as a worker waiting for its first trial
    /// does (`worker --print-address-space`): the baseline an address-space limit is added to (AddressSpaceLimit).
    /// </summary>
    public static int PrintAddressSpace(int threads, TextWriter output)
    {
        TorchRuntime.Set(threads);
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmSize:", StringComparison.Ordinal))
                   ?? throw new IOException("/proc/self/status has no VmSize line");
        long kib = long.Parse(line["VmSize:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine(kib * 1024);
        return 0;
    }

    /// <summary>How many CUDA devices this process's libtorch sees (`worker --count-cuda-devices`).</summary>
    public static int CountCudaDevices(TextWriter output)
    {
        output.WriteLine(TorchRuntime.CudaDevices());
        return 0;
    }

    /// <summary>
    /// The frames get the real stdout to themselves: a copy of descriptor 1 is theirs, and descriptor 1
    /// becomes stderr, so that whatever else writes to stdout (a native library's printf, a stray
    /// Console.WriteLine) lands in the slot's log instead of corrupting a frame.
    /// </summary>
    private static Stream TakeStdoutForFrames()
    {
        int frames = dup(1);
        if (frames < 0 || dup2(2, 1) < 0) throw new IOException($"worker: could not set its stdout apart for frames (errno {Marshal.GetLastPInvokeError()})");
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(frames, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int dup2(int from, int to);

    /// <summary>Ends the process at once, mid-step if need be: its slot is gone, and nothing it does now can be stored.</summary>
    [DllImport("libc")]
    private static extern void _exit(int status);
}
