using SweepGrid.Core.Slots;

namespace SweepGrid.Core.Tests;

public sealed class SlotDevicesTests
{
    [Fact]
    public void A_GPU_node_runs_one_slot_per_device_unless_told_otherwise()
    {
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3"], SlotDevices.Plan(null, null, cudaDevices: 4, cpuDefault: 2));
        Assert.Equal(["cuda:0", "cuda:1"], SlotDevices.Plan(null, "cuda", cudaDevices: 2, cpuDefault: 2));
        // More slots than GPUs share them round-robin; fewer use the first ones.
        Assert.Equal(["cuda:0", "cuda:1", "cuda:0"], SlotDevices.Plan(3, "cuda", cudaDevices: 2, cpuDefault: 2));
        Assert.Equal(["cuda:1", "cuda:1"], SlotDevices.Plan(2, "cuda:1", cudaDevices: 2, cpuDefault: 2));
    }

    [Fact]
    public void A_CPU_node_runs_the_configured_number_of_slots()
    {
        Assert.Equal(["cpu", "cpu"], SlotDevices.Plan(null, null, cudaDevices: 0, cpuDefault: 2));
        Assert.Equal(["cpu", "cpu", "cpu"], SlotDevices.Plan(3, "cpu", cudaDevices: 8, cpuDefault: 1));
    }

    [Theory]
    [InlineData(null, "cuda", 0, "--device cuda: this machine has no CUDA device")]
    [InlineData(null, "cuda:2", 2, "--device cuda:2: this machine has CUDA devices 0..1")]
    [InlineData(null, "gpu", 1, "--device: expected cpu, cuda or cuda:N, got \"gpu\"")]
    [InlineData(null, "cuda:x", 0, "--device: expected cpu, cuda or cuda:N, got \"cuda:x\"")]
    [InlineData(0, "cpu", 0, "--slots: must be a positive integer, got 0")]
    public void Impossible_plans_say_what_is_wrong(int? slots, string device, int cuda, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => SlotDevices.Plan(slots, device, cuda, cpuDefault: 2));
        Assert.StartsWith(expected, error.Message);
    }
}
