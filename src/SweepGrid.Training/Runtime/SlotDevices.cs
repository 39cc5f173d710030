using System.Globalization;
using TorchSharp;

namespace SweepGrid.Training.Runtime;

/// <summary>
/// Which device each of a node's training slots trains on. A GPU worker runs one slot per CUDA device
/// by default (more slots than devices share them round-robin); a CPU worker runs the configured
/// number of slots, each with a share of the cores (<see cref="TorchThreads"/>). Pure, apart from
/// <see cref="CudaDevices"/>, so the rules are testable on a machine without a GPU.
/// </summary>
public static class SlotDevices
{
    /// <summary>The CUDA devices libtorch sees here (0 with the CPU build of TorchSharp).</summary>
    public static int CudaDevices() => torch.cuda.is_available() ? torch.cuda.device_count() : 0;

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
