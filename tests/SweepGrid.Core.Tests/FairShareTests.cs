using SweepGrid.Core.Scheduling;

namespace SweepGrid.Core.Tests;

public sealed class FairShareTests
{
    /// <summary>
    /// A long run on 8 slots, trials of equal length that end in the order they started: two sweeps of
    /// priorities 1 and 3 get a quarter and three quarters of the starts.
    /// </summary>
    [Fact]
    public void Priorities_1_and_3_get_25_and_75_percent_of_the_starts_over_a_long_run()
    {
        var starts = Simulate(slots: 8, trialsEach: 2000, ("small", 1), ("large", 3)).Take(2000).ToList();

        double large = starts.Count(s => s == "large") / (double)starts.Count;
        Assert.InRange(large, 0.70, 0.80);
    }

    [Fact]
    public void Equal_priorities_alternate_and_a_tie_goes_to_the_older_sweep()
    {
        var starts = Simulate(slots: 4, trialsEach: 10, ("a", 1), ("b", 1)).Take(4).ToList();

        Assert.Equal(["a", "b", "a", "b"], starts);
    }

    [Fact]
    public void A_sweep_submitted_while_another_holds_every_slot_takes_the_first_slot_that_frees()
    {
        var loads = new List<SweepLoad> { new("old", 1, Running: 16, Pending: 50_000), new("new", 1, Running: 0, Pending: 10) };

        Assert.Equal("new", FairShare.Next(loads));
    }

    [Fact]
    public void A_share_without_pending_trials_is_lent_to_the_others()
    {
        var loads = new List<SweepLoad> { new("big", 1000, Running: 2, Pending: 0), new("small", 1, Running: 14, Pending: 3) };

        Assert.Equal("small", FairShare.Next(loads));
        Assert.Null(FairShare.Next([new SweepLoad("done", 1, 5, 0)]));
        Assert.Null(FairShare.Next([]));
    }

    /// <summary>The returned share: a sweep below its share gets the slot even when another has far more pending.</summary>
    [Fact]
    public void The_sweep_furthest_below_its_share_gets_the_slot()
    {
        var loads = new List<SweepLoad> { new("a", 3, Running: 6, Pending: 100), new("b", 1, Running: 1, Pending: 1) };

        Assert.Equal("b", FairShare.Next(loads)); // 1/1 = 1 < 6/3 = 2
        Assert.Equal("a", FairShare.Next([loads[0] with { Running = 2 }, loads[1]])); // 2/3 < 1
    }

    /// <summary>Starts in order on <paramref name="slots"/> slots; each start ends the oldest running trial once every slot is busy.</summary>
    private static IEnumerable<string> Simulate(int slots, int trialsEach, params (string Name, int Priority)[] sweeps)
    {
        var running = sweeps.ToDictionary(s => s.Name, _ => 0);
        var pending = sweeps.ToDictionary(s => s.Name, _ => trialsEach);
        var order = new Queue<string>();
        while (true)
        {
            if (order.Count == slots) running[order.Dequeue()]--;
            var next = FairShare.Next(sweeps.Select(s => new SweepLoad(s.Name, s.Priority, running[s.Name], pending[s.Name])).ToList());
            if (next is null) yield break;
            running[next]++;
            pending[next]--;
            order.Enqueue(next);
            yield return next;
        }
    }
}
