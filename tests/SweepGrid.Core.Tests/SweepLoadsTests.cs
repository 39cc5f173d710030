using SweepGrid.Core.Scheduling;

namespace SweepGrid.Core.Tests;

public sealed class SweepLoadsTests
{
    private static SweepLoad Load(SweepLoads loads, string sweep) => loads.Of([sweep]).Single();

    [Fact]
    public void A_slot_sent_to_a_sweep_counts_as_running_there_until_its_trial_starts()
    {
        var loads = new SweepLoads();
        loads.Counted("a", priority: 2, running: 0, pending: 3);

        loads.Sent("slot-0", "a");
        Assert.Equal(new SweepLoad("a", 2, 1, 2), Load(loads, "a"));

        loads.Started("a", "slot-0", "t1");
        Assert.Equal(new SweepLoad("a", 2, 1, 2), Load(loads, "a"));
        Assert.Null(loads.SentTo("slot-0"));
    }

    /// <summary>The slot's request can overtake its coordinator's word of the trial's end: the end is counted once, whichever comes first.</summary>
    [Fact]
    public void A_slot_that_asks_for_work_has_ended_its_trial_and_the_end_is_counted_once()
    {
        var loads = new SweepLoads();
        loads.Counted("a", 1, running: 0, pending: 2);
        loads.Started("a", "slot-0", "t1");

        loads.Asked("slot-0", repeated: false);
        loads.Ended("a", "t1", requeued: false);

        Assert.Equal(new SweepLoad("a", 1, 0, 1), Load(loads, "a"));

        loads.Started("a", "slot-0", "t2");
        loads.Ended("a", "t2", requeued: true);
        loads.Asked("slot-0", repeated: false);
        Assert.Equal(new SweepLoad("a", 1, 0, 1), Load(loads, "a"));
    }

    /// <summary>A start that reaches the director after its slot has asked again must not cancel where the new request went.</summary>
    [Fact]
    public void A_late_start_leaves_the_slots_new_request_where_it_went()
    {
        var loads = new SweepLoads();
        loads.Counted("a", 1, 0, 5);
        loads.Counted("b", 1, 0, 5);
        loads.Sent("slot-0", "a");

        loads.Asked("slot-0", repeated: false); // its trial of a started and ended before the director heard of the start
        loads.Sent("slot-0", "b");
        loads.Started("a", "slot-0", "t1");

        Assert.Equal("b", loads.SentTo("slot-0"));
        Assert.Equal(new SweepLoad("b", 1, 1, 4), Load(loads, "b"));
    }

    [Fact]
    public void An_idle_slot_asking_again_is_still_waiting_where_it_was_sent()
    {
        var loads = new SweepLoads();
        loads.Counted("a", 1, 4, 0);
        loads.Sent("slot-0", "a");

        loads.Asked("slot-0", repeated: true);

        Assert.Equal("a", loads.SentTo("slot-0"));
    }

    [Fact]
    public void A_finished_sweep_holds_nothing_and_a_full_count_replaces_the_deltas()
    {
        var loads = new SweepLoads();
        loads.Counted("a", 3, 2, 7);
        loads.Sent("slot-0", "a");
        loads.Started("a", "slot-1", "t1");

        loads.Finished("a");
        Assert.Equal(new SweepLoad("a", 3, 0, 0), Load(loads, "a"));
        Assert.Null(loads.SentTo("slot-0"));

        loads.Counted("a", 3, 1, 10);
        loads.Asked("slot-1", repeated: false); // its trial was forgotten at the finish: nothing to take off
        Assert.Equal(new SweepLoad("a", 3, 1, 10), Load(loads, "a"));
        Assert.Equal(new SweepLoad("new", 1, 0, 0), Load(loads, "new"));
    }
}
