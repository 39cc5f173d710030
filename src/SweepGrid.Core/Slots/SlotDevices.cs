using System.Globalization;

namespace SweepGrid.Core.Slots;

/// <summary>
/// Which device each of a node's training slots trains on. A GPU worker runs one slot per CUDA device
/// by default (more slots than devices share them round-robin); a CPU worker runs the configured
/// number of slots, each with a share of the cores (<see cref="ThreadsForSlots"/>). Pure: the node
/// asks a short-lived worker how many CUDA devices libtorch sees, and never loads libtorch itself.
/// </summary>
public static class SlotDevices
{
    /// <summary>
    /// libtorch's intra-op thread pool is per process: each of <paramref name="slots"/> slots' worker
    /// processes gets its share of this machine's cores (at least one), so the slots share the machine
    /// instead of oversubscribing it.
    /// </summary>
    public static int ThreadsForSlots(int slots) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots));

    /// <summary>The device name of every slot.</summary>
    /// <param name="slots">Slots asked for; null: one per CUDA device on a GPU node, <paramref name="cpuDefault"/> on CPU.</param>
    /// <param name="device">"cpu", "cuda", "cuda:N", or null for cuda when there is a CUDA device, else cpu.</param>
    /// <exception cref="ArgumentException">The device is not one of those, names a CUDA device this machine lacks, or slots is below 1.</exception>
    public static IReadOnlyList<string> Plan(int? slots, string? device, int cudaDevices, int cpuDefault)
    {
        var kind = device ?? (cudaDevices > 0 ? "cuda" : "cpu");
        if (kind == "cpu") return Enumerable.Repeat("cpu", Count(slots ?? cpuDefault)).ToList();
        int? index = kind == "cuda" ? null
            : kind.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(kind.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n
            : throw new ArgumentException($"--device: expected cpu, cuda or cuda:N, got \"{device}\"");
        if (cudaDevices == 0)
        {
            throw new ArgumentException($"--device {kind}: this machine has no CUDA device (torch.cuda.device_count() is 0; the CPU build of TorchSharp sees none)");
        }

        if (index is null) return Enumerable.Range(0, Count(slots ?? cudaDevices)).Select(i => $"cuda:{i % cudaDevices}").ToList();
        if (index >= cudaDevices) throw new ArgumentException($"--device {kind}: this machine has CUDA devices 0..{cudaDevices - 1}");
        return Enumerable.Repeat(kind, Count(slots ?? 1)).ToList();
    }

    private static int Count(int slots) => slots >= 1 ? slots : throw new ArgumentException($"--slots: must be a positive integer, got {slots}");
}
