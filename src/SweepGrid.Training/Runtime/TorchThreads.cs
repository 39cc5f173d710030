using TorchSharp;

namespace SweepGrid.Training.Runtime;

/// <summary>
/// libtorch's intra-op thread pool is per process. With several CPU slots in one process, each
/// trial gets cores/slots threads, so slots share the machine instead of oversubscribing it.
/// </summary>
public static class TorchThreads
{
    public static int ForSlots(int slots)
    {
        int threads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots));
        torch.set_num_threads(threads);
        return threads;
    }
}
