using SweepGrid.Core.Slots;

namespace SweepGrid.Core.Tests;

public sealed class SlotCapacityTests
{
    private static IReadOnlyList<string> Cpu(int n) => Enumerable.Repeat("cpu", n).ToList();

    [Fact]
    public void Slots_that_fit_the_cores_and_memory_are_taken_without_a_word()
    {
        Assert.Equal(new SlotCapacity.Verdict(null, null), SlotCapacity.Judge(Cpu(2), cores: 2, memoryBytes: 24L << 30));
    }

    [Fact]
    public void More_cpu_slots_than_cores_are_taken_and_said()
    {
        var verdict = SlotCapacity.Judge(Cpu(64), cores: 2, memoryBytes: 64L << 30);

        Assert.Null(verdict.Refusal);
        Assert.Equal("64 CPU slots on 2 core(s): the trials share the cores, each runs slower and none finishes sooner than with 2 slot(s)", verdict.Warning);
    }

    [Fact]
    public void Gpu_slots_are_not_counted_against_the_cores()
    {
        Assert.Null(SlotCapacity.Judge(["cuda:0", "cuda:1", "cuda:0", "cuda:1"], cores: 2, memoryBytes: 64L << 30).Warning);
    }

    [Fact]
    public void Slots_whose_workers_cannot_fit_in_memory_are_refused_with_how_many_would()
    {
        var verdict = SlotCapacity.Judge(Cpu(64), cores: 2, memoryBytes: 4L << 30);

        Assert.Equal("--slots: 64 slots need at least 24.0 GiB of memory (0.4 GiB per worker), and this machine has 4.0 GiB: use at most 10", verdict.Refusal);
        Assert.Equal(10, (4L << 30) / SlotCapacity.WorkerBytes);
    }
}
