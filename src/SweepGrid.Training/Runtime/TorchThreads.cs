using TorchSharp;

namespace SweepGrid.Training.Runtime;

/// <summary>
/// libtorch's intra-op thread pool is per process. Each slot's worker process gets cores/slots
/// threads, so a node's slots share the machine instead of oversubscribing it.
/// </summary>
public static class TorchThreads
{
    /// <summary>Each of <paramref name="slots"/> slots' share of this machine's cores (at least one).</summary>
    public static int ForSlots(int slots) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots));

    /// <summary>Sets this process's libtorch thread count (loading libtorch if it is not yet).</summary>
    public static void Set(int threads) => torch.set_num_threads(threads);
}
