using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Tests;

/// <summary>Pause, resume, cancel and priority as pure decisions over the sweep's state (SweepDecisions.Control).</summary>
public sealed class SweepControlTests
{
    private static SweepDefinition Define(string seeds, int priority = 1) => SweepDefinition.Create(SweepFile.Parse($$"""
        sweep {
          name = ctl
          priority = {{priority}}
          dataset { name = synthetic }
          grid { seed = {{seeds}} }
        }
        """, "ctl.hocon"), trainCount: 1000, SweepDefinition.DefaultMaxTrials);

    private static SweepState Run(SweepState state, IEnumerable<ISweepEvent> events) => events.Aggregate(state, (s, e) => s.Apply(e));

    /// <summary>Four trials: one completed, one running on slot-b, two pending.</summary>
    private static SweepState Midway()
    {
        var state = Run(SweepState.Empty("ctl"), SweepDecisions.Define(SweepState.Empty("ctl"), Define("[1, 2, 3, 4]")));
        var first = (TrialAssigned)SweepDecisions.Assign(state, "slot-a").Single();
        state = state.Apply(first);
        state = Run(state, SweepDecisions.Finish(state, first.TrialId, 1, TrialStatus.Completed, null));
        return state.Apply(SweepDecisions.Assign(state, "slot-b").Single());
    }

    private static SweepState Controlled(SweepState state, SweepControl control)
    {
        var decision = SweepDecisions.Control(state, control);
        Assert.Null(decision.Refusal);
        return Run(state, decision.Events);
    }

    [Fact]
    public void Cancel_cancels_what_waits_keeps_results_and_cancels_a_running_trial_when_it_is_handed_back()
    {
        var state = Controlled(Midway(), SweepControl.Cancel);

        Assert.Equal(SweepStanding.Cancelled, state.Standing);
        Assert.Equal(new TrialCounts(Pending: 0, Running: 1, Completed: 1, Diverged: 0, Failed: 0, Cancelled: 2), state.Counts);
        Assert.False(state.IsFinished);
        Assert.Empty(SweepDecisions.Assign(state, "slot-c"));

        var running = state.RunningOn("slot-b").Single();
        state = Run(state, SweepDecisions.Release(state, running.Spec.TrialId, running.Attempts, "its sweep was paused or cancelled"));

        Assert.Equal((TrialStatus.Cancelled, SweepState.CancelledReason, 0), (state.Trials[running.Spec.TrialId].Status, state.Trials[running.Spec.TrialId].Reason,
            state.Trials[running.Spec.TrialId].Failures));
        Assert.Equal(3, state.Count(TrialStatus.Cancelled));
        Assert.True(state.IsFinished);
    }

    [Fact]
    public void A_running_trial_that_ends_with_a_result_after_the_cancel_keeps_it()
    {
        var state = Controlled(Midway(), SweepControl.Cancel);
        var running = state.RunningOn("slot-b").Single();

        state = Run(state, SweepDecisions.Finish(state, running.Spec.TrialId, running.Attempts, TrialStatus.Completed, null));

        Assert.Equal(TrialStatus.Completed, state.Trials[running.Spec.TrialId].Status);
        Assert.Equal((2, 2), (state.Count(TrialStatus.Completed), state.Count(TrialStatus.Cancelled)));
    }

    [Fact]
    public void A_failure_or_a_lost_slot_after_the_cancel_cancels_the_trial_instead_of_retrying_it()
    {
        var state = Controlled(Midway(), SweepControl.Cancel);
        var running = state.RunningOn("slot-b").Single();

        var failed = Run(state, SweepDecisions.Fail(state, running.Spec.TrialId, running.Attempts, "boom"));
        var lost = Run(state, SweepDecisions.SlotLost(state, "slot-b"));

        Assert.Equal((TrialStatus.Cancelled, 1), (failed.Trials[running.Spec.TrialId].Status, failed.Trials[running.Spec.TrialId].Failures));
        Assert.Equal(TrialStatus.Cancelled, lost.Trials[running.Spec.TrialId].Status);
        Assert.Equal(0, failed.Count(TrialStatus.Pending) + lost.Count(TrialStatus.Pending));
    }

    [Fact]
    public void Submitting_a_cancelled_sweep_again_reopens_only_what_was_not_done()
    {
        var state = Controlled(Midway(), SweepControl.Cancel);
        var running = state.RunningOn("slot-b").Single();
        state = Run(state, SweepDecisions.Release(state, running.Spec.TrialId, running.Attempts, "stopped"));

        var events = SweepDecisions.Define(state, Define("[1, 2, 3, 4]"));
        state = Run(state, events);

        Assert.Equal([typeof(SweepResumed)], events.Select(e => e.GetType()));
        Assert.Equal(SweepStanding.Open, state.Standing);
        Assert.Equal(new TrialCounts(Pending: 3, Running: 0, Completed: 1, Diverged: 0, Failed: 0, Cancelled: 0), state.Counts);
        Assert.All(state.Pending, t => Assert.Null(t.Reason));
        // The handed-back trial keeps its attempt count (a hand-back is no failure): it resumes from its checkpoint as attempt 2.
        Assert.Equal((1, 0), (state.Trials[running.Spec.TrialId].Attempts, state.Trials[running.Spec.TrialId].Failures));
    }

    [Fact]
    public void Pause_starts_nothing_keeps_the_trials_pending_and_resume_starts_them_again()
    {
        var state = Controlled(Midway(), SweepControl.Pause);

        Assert.Equal(SweepStanding.Paused, state.Standing);
        Assert.Empty(SweepDecisions.Assign(state, "slot-c"));
        var running = state.RunningOn("slot-b").Single();
        state = Run(state, SweepDecisions.Release(state, running.Spec.TrialId, running.Attempts, "paused"));
        Assert.Equal(new TrialCounts(Pending: 3, Running: 0, Completed: 1, Diverged: 0, Failed: 0), state.Counts);
        Assert.False(state.IsFinished);

        state = Controlled(state, SweepControl.Resume);

        Assert.Equal(SweepStanding.Open, state.Standing);
        Assert.Single(SweepDecisions.Assign(state, "slot-c"));
    }

    [Fact]
    public void Repeating_a_control_changes_nothing_and_is_not_refused()
    {
        var paused = Controlled(Midway(), SweepControl.Pause);

        Assert.Equal((0, null), (SweepDecisions.Control(paused, SweepControl.Pause).Events.Count, SweepDecisions.Control(paused, SweepControl.Pause).Refusal));
        Assert.Empty(SweepDecisions.Control(Midway(), SweepControl.Resume).Events);
        Assert.Empty(SweepDecisions.Control(Midway(), SweepControl.SetPriority(1)).Events);
    }

    [Fact]
    public void What_cannot_apply_to_the_sweep_as_it_stands_is_refused_with_the_reason()
    {
        var finished = Run(SweepState.Empty("ctl"), SweepDecisions.Define(SweepState.Empty("ctl"), Define("[1]")));
        var only = (TrialAssigned)SweepDecisions.Assign(finished, "s").Single();
        finished = Run(finished.Apply(only), SweepDecisions.Finish(finished.Apply(only), only.TrialId, 1, TrialStatus.Completed, null));
        var cancelled = Controlled(Midway(), SweepControl.Cancel);

        Assert.Contains("has finished", SweepDecisions.Control(finished, SweepControl.Cancel).Refusal);
        Assert.Contains("has finished", SweepDecisions.Control(finished, SweepControl.Pause).Refusal);
        Assert.Contains("already cancelled", SweepDecisions.Control(cancelled, SweepControl.Cancel).Refusal);
        Assert.Contains("resume", SweepDecisions.Control(cancelled, SweepControl.Pause).Refusal);
        Assert.All(new[] { 0, -1, 1001, 1_000_000_000 }, p =>
            Assert.Contains("from 1 to 1000", SweepDecisions.Control(Midway(), SweepControl.SetPriority(p)).Refusal));
        Assert.NotNull(SweepDecisions.Control(Midway(), new SweepControl((SweepControlKind)99)).Refusal);
        Assert.NotNull(SweepDecisions.Control(Midway(), new SweepControl(SweepControlKind.Pause, Priority: 3)).Refusal);
    }

    [Fact]
    public void The_latest_word_on_priority_wins_a_command_or_a_submission_that_states_another()
    {
        var state = Controlled(Midway(), SweepControl.SetPriority(7));
        Assert.Equal(7, state.Priority);

        Assert.Empty(SweepDecisions.Define(state, Define("[1, 2, 3, 4]", priority: 7)));
        state = Run(state, SweepDecisions.Define(state, Define("[1, 2, 3, 4]", priority: 2)));
        Assert.Equal(2, state.Priority);
        Assert.Equal(4, state.Trials.Count);
    }
}
