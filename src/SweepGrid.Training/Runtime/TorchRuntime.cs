using TorchSharp;

namespace SweepGrid.Training.Runtime;

/// <summary>What a worker process asks of libtorch itself: its thread count (its share, Core.Slots.SlotDevices.ThreadsForSlots), its CUDA devices.</summary>
public static class TorchRuntime
{
    /// <summary>Sets this process's libtorch thread count (loading libtorch if it is not yet).</summary>
    public static void Set(int threads) => torch.set_num_threads(threads);

    /// <summary>The CUDA devices libtorch sees here (0 with the CPU build of TorchSharp).</summary>
    public static int CudaDevices() => torch.cuda.is_available() ? torch.cuda.device_count() : 0;
}
