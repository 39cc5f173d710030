using System.Runtime.CompilerServices;

namespace SweepGrid.Training.Tests;

/// <summary>
/// One libtorch thread in this test process, as a worker of a one-core slot has. The test command runs
/// the test projects side by side, one per core: with libtorch's default of a thread per core, its
/// threads waited for each other on a machine already busy, and these tests took 3.5 minutes beside the
/// CLI tests against 40 seconds alone.
/// </summary>
internal static class TestThreads
{
    [ModuleInitializer]
    internal static void OneLibtorchThread() => SweepGrid.Training.Runtime.TorchRuntime.Set(1);
}
