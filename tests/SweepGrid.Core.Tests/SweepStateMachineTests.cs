using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Tests;

public sealed class SweepStateMachineTests
{
    private static readonly SweepDefinition Definition = Define("[1, 2, 3]");

    private static readonly IReadOnlyList<TrialSpec> Trials = Definition.Expand();

    private static SweepDefinition Define(string seeds) => SweepDefinition.Create(SweepFile.Parse($$"""
        sweep {
          name = machine
          dataset { name = synthetic }
          grid { seed = {{seeds}} }
        }
        """, "machine.hocon"), trainCount: 1000, SweepDefinition.DefaultMaxTrials);

    private static SweepState Run(SweepState state, IEnumerable<ISweepEvent> events) => events.Aggregate(state, (s, e) => s.Apply(e));

    private static SweepState Submitted(int maxFailures = 3, int maxInterruptions = 20) =>
        Run(SweepState.Empty("machine", maxFailures, maxInterruptions), SweepDecisions.Define(SweepState.Empty("machine"), Definition));

    private static (SweepState State, TrialAssigned Assigned) Assign(SweepState state, string slot)
    {
        var assigned = Assert.IsType<TrialAssigned>(Assert.Single(SweepDecisions.Assign(state, slot)));
        return (state.Apply(assigned), assigned);
    }

    [Fact]
    public void Trials_are_assigned_in_submission_order_and_each_once()
    {
        var state = Submitted();
        var ids = new List<string>();
        for (int i = 0; i < Trials.Count; i++)
        {
            (state, var a) = Assign(state, $"slot-{i}");
            ids.Add(a.TrialId);
            Assert.Equal(1, a.Attempt);
        }

        Assert.Equal(Trials.Select(t => t.TrialId), ids);
        Assert.Empty(SweepDecisions.Assign(state, "slot-x"));
    }

    [Fact]
    public void Submitting_the_same_sweep_again_changes_nothing()
    {
        var state = Submitted();

        Assert.Empty(SweepDecisions.Define(state, Definition));
        Assert.Equal(3, state.Count(TrialStatus.Pending));
    }

    [Fact]
    public void A_grown_grid_adds_only_its_new_trials_after_the_old_ones()
    {
        var (state, a) = Assign(Submitted(), "slot");
        var grown = Define("[4, 1, 2, 3, 5]");

        state = Run(state, SweepDecisions.Define(state, grown));

        Assert.Equal(5, state.Trials.Count);
        Assert.Equal(Trials.Select(t => t.TrialId).Concat(grown.Expand().Where(t => t.Seed is 4 or 5).Select(t => t.TrialId)), state.Order);
        Assert.Equal([0, 1, 2, 3, 4], state.InOrder.Select(t => t.Ordinal));
        Assert.Equal((TrialStatus.Running, 1), (state.Trials[a.TrialId].Status, state.Trials[a.TrialId].Attempts));
        Assert.Equal(new TrialCounts(Pending: 4, Running: 1, Completed: 0, Diverged: 0, Failed: 0), state.Counts);
    }

    [Fact]
    public void A_journal_that_lists_its_trials_one_by_one_still_replays()
    {
        var legacy = SweepState.Empty("machine").Apply(new TrialsSubmitted(Trials));

        Assert.Equal(Submitted().InOrder, legacy.InOrder);
        Assert.Empty(SweepDecisions.Define(legacy, Definition).OfType<TrialsSubmitted>());
    }

    [Fact]
    public void Counts_and_indexes_agree_with_the_trials_through_any_sequence_of_decisions()
    {
        var random = new Random(7);
        var state = Run(SweepState.Empty("machine", maxFailures: 3, maxInterruptions: 5), SweepDecisions.Define(SweepState.Empty("machine"), Define($"[{string.Join(", ", Enumerable.Range(1, 40))}]")));
        string[] slots = ["s0", "s1", "s2", "s3"];
        for (int step = 0; step < 10_000 && !state.IsFinished; step++)
        {
            var slot = slots[random.Next(slots.Length)];
            var running = state.RunningOn(slot).FirstOrDefault();
            var decided = (random.Next(6), running) switch
            {
                (_, null) => SweepDecisions.Assign(state, slot),
                (0, _) => SweepDecisions.SlotLost(state, slot),
                (1, { } r) => SweepDecisions.Fail(state, r.Spec.TrialId, r.Attempts, "boom"),
                (2, { } r) => SweepDecisions.Release(state, r.Spec.TrialId, r.Attempts, "leaving"),
                (3, _) => SweepDecisions.Restarted(state),
                (4, { } r) => SweepDecisions.Finish(state, r.Spec.TrialId, r.Attempts, TrialStatus.Diverged, "NaN"),
                (_, { } r) => SweepDecisions.Finish(state, r.Spec.TrialId, r.Attempts, TrialStatus.Completed, null),
            };
            state = Run(state, decided);

            var entries = state.InOrder.ToList();
            foreach (var status in Enum.GetValues<TrialStatus>()) Assert.Equal(entries.Count(t => t.Status == status), state.Count(status));
            Assert.Equal(entries.Where(t => t.Status == TrialStatus.Pending).Select(t => t.Ordinal), state.PendingOrdinals.ToList());
            Assert.Equal(entries.Where(t => t.Status == TrialStatus.Running).Select(t => t.Spec.TrialId), state.Running.Select(t => t.Spec.TrialId));
            Assert.All(slots, s => Assert.Equal(entries.Where(t => t.Status == TrialStatus.Running && t.Slot == s), state.RunningOn(s)));
            Assert.Equal(entries.Where(t => t.IsTerminal).Sum(t => (long)t.Spec.Epochs), state.SettledEpochs);
        }

        Assert.True(state.IsFinished);
        Assert.Equal(40, state.Counts.Settled);
    }

    [Fact]
    public void The_sweep_is_finished_when_every_trial_has_a_result()
    {
        var state = Submitted();
        foreach (var _ in Trials)
        {
            Assert.False(state.IsFinished);
            (state, var a) = Assign(state, "slot");
            state = Run(state, SweepDecisions.Finish(state, a.TrialId, a.Attempt, TrialStatus.Completed, null));
        }

        Assert.True(state.IsFinished);
        Assert.Equal(3, state.Count(TrialStatus.Completed));
    }

    [Fact]
    public void A_report_from_a_superseded_attempt_is_ignored()
    {
        var (state, first) = Assign(Submitted(), "slot-a");
        state = Run(state, SweepDecisions.SlotLost(state, "slot-a"));
        (state, var second) = Assign(state, "slot-b");

        Assert.Equal(first.TrialId, second.TrialId);
        Assert.Equal(2, second.Attempt);
        Assert.Empty(SweepDecisions.Finish(state, first.TrialId, first.Attempt, TrialStatus.Completed, null));
        Assert.Empty(SweepDecisions.Fail(state, first.TrialId, first.Attempt, "late crash"));
        Assert.Single(SweepDecisions.Finish(state, second.TrialId, second.Attempt, TrialStatus.Completed, null));
    }

    [Fact]
    public void A_finished_trial_cannot_finish_twice()
    {
        var (state, a) = Assign(Submitted(), "slot");
        state = Run(state, SweepDecisions.Finish(state, a.TrialId, a.Attempt, TrialStatus.Diverged, "loss NaN"));

        Assert.Empty(SweepDecisions.Finish(state, a.TrialId, a.Attempt, TrialStatus.Completed, null));
        Assert.Equal(TrialStatus.Diverged, state.Trials[a.TrialId].Status);
    }

    [Fact]
    public void Crashes_are_retried_until_max_failures_then_the_trial_fails_and_the_sweep_goes_on()
    {
        var state = Submitted(maxFailures: 2);
        (state, var a) = Assign(state, "slot");
        state = Run(state, SweepDecisions.Fail(state, a.TrialId, a.Attempt, "boom 1"));
        Assert.Equal(TrialStatus.Pending, state.Trials[a.TrialId].Status);

        (state, var retry) = Assign(state, "slot");
        Assert.Equal((a.TrialId, 2), (retry.TrialId, retry.Attempt));
        state = Run(state, SweepDecisions.Fail(state, retry.TrialId, retry.Attempt, "boom 2"));

        var entry = state.Trials[a.TrialId];
        Assert.Equal((TrialStatus.Failed, 2, "boom 2"), (entry.Status, entry.Failures, entry.Reason));
        (_, var next) = Assign(state, "slot");
        Assert.NotEqual(a.TrialId, next.TrialId);
    }

    [Fact]
    public void A_lost_slot_and_a_coordinator_restart_interrupt_without_counting_a_failure()
    {
        // maxFailures 1: a lost node or a restart counted as a failure would end the trial as failed.
        var (state, a) = Assign(Submitted(maxFailures: 1), "slot-a");
        (state, var b) = Assign(state, "slot-b");

        var lost = SweepDecisions.SlotLost(state, "slot-a");
        Assert.Equal([a.TrialId], lost.Cast<TrialInterrupted>().Select(r => r.TrialId));
        state = Run(state, lost);
        var restarted = SweepDecisions.Restarted(state);
        Assert.Equal([b.TrialId], restarted.Cast<TrialInterrupted>().Select(r => r.TrialId));
        state = Run(state, restarted);

        var (ea, eb) = (state.Trials[a.TrialId], state.Trials[b.TrialId]);
        Assert.Equal((TrialStatus.Pending, 0, 1, "slot slot-a was lost"), (ea.Status, ea.Failures, ea.Interruptions, ea.Reason));
        Assert.Equal((TrialStatus.Pending, 0, 1, "coordinator restarted"), (eb.Status, eb.Failures, eb.Interruptions, eb.Reason));
    }

    [Fact]
    public void A_trial_whose_worker_crashes_fails_but_one_whose_nodes_keep_dying_fails_only_after_max_interruptions()
    {
        var state = Submitted(maxFailures: 2, maxInterruptions: 3);
        (state, var first) = Assign(state, "slot-a");
        for (int i = 0; i < 2; i++)
        {
            state = Run(state, SweepDecisions.SlotLost(state, state.Trials[first.TrialId].Slot!));
            Assert.Equal(TrialStatus.Pending, state.Trials[first.TrialId].Status);
            (state, _) = Assign(state, $"slot-{i}");
        }

        state = Run(state, SweepDecisions.SlotLost(state, "slot-1"));
        var entry = state.Trials[first.TrialId];
        Assert.Equal((TrialStatus.Failed, 0, 3, 3), (entry.Status, entry.Failures, entry.Interruptions, entry.Attempts));
        Assert.StartsWith("interrupted 3 times through no fault of its own, last: slot slot-1 was lost", entry.Reason);

        // The next trial crashes its worker twice: its own failures, counted against max-failures.
        (state, var crashing) = Assign(state, "slot-c");
        state = Run(state, SweepDecisions.Fail(state, crashing.TrialId, crashing.Attempt, "signal 6 (aborted)"));
        (state, var again) = Assign(state, "slot-c");
        state = Run(state, SweepDecisions.Fail(state, again.TrialId, again.Attempt, "signal 6 (aborted)"));
        Assert.Equal((TrialStatus.Failed, 2, 0), (state.Trials[crashing.TrialId].Status, state.Trials[crashing.TrialId].Failures, state.Trials[crashing.TrialId].Interruptions));
    }

    [Fact]
    public void A_request_that_overtakes_its_slots_report_loses_nothing_but_an_unreported_attempt_is_lost()
    {
        var (state, a) = Assign(Submitted(), "slot");

        Assert.Empty(SweepDecisions.SlotLost(state, "slot", reported: (a.TrialId, a.Attempt)));
        (state, var b) = Assign(state, "slot");
        Assert.Equal([a.TrialId, b.TrialId], state.RunningOn("slot").Select(t => t.Spec.TrialId));
        state = Run(state, SweepDecisions.Finish(state, a.TrialId, a.Attempt, TrialStatus.Completed, null));

        // The next request names b; had a's report been lost instead, a would be lost then.
        Assert.Empty(SweepDecisions.SlotLost(state, "slot", reported: (b.TrialId, b.Attempt)));
        Assert.Equal([b.TrialId], SweepDecisions.SlotLost(state, "slot", reported: (a.TrialId, a.Attempt)).Cast<TrialInterrupted>().Select(f => f.TrialId));
        Assert.Equal((TrialStatus.Completed, 1, 0, 0), (state.Trials[a.TrialId].Status, state.Trials[a.TrialId].Attempts, state.Trials[a.TrialId].Failures, state.Trials[a.TrialId].Interruptions));
    }

    [Fact]
    public void A_released_attempt_is_requeued_without_a_failure_and_its_slot_leaving_afterwards_changes_nothing()
    {
        // maxFailures 1: a release counted as a failure would end the trial as failed.
        var (state, a) = Assign(Submitted(maxFailures: 1), "slot-a");

        var released = SweepDecisions.Release(state, a.TrialId, a.Attempt, "node leaving");
        Assert.Equal([new TrialRequeued(a.TrialId, 1, "node leaving")], released);
        state = Run(state, released);
        Assert.Equal((TrialStatus.Pending, 0, (string?)null), (state.Trials[a.TrialId].Status, state.Trials[a.TrialId].Failures, state.Trials[a.TrialId].Slot));
        Assert.Empty(SweepDecisions.SlotLost(state, "slot-a"));
        Assert.Empty(SweepDecisions.Release(state, a.TrialId, a.Attempt, "node leaving")); // said twice

        // The next attempt starts where the counting left off, and a release from the old attempt is stale.
        (state, var again) = Assign(state, "slot-b");
        Assert.Equal((a.TrialId, 2), (again.TrialId, again.Attempt));
        Assert.Empty(SweepDecisions.Release(state, a.TrialId, 1, "node leaving"));
    }

    [Fact]
    public void After_a_restart_a_running_trial_whose_attempt_stored_its_outcome_finishes_instead_of_rerunning()
    {
        var (state, a) = Assign(Submitted(), "slot-a");
        (state, var b) = Assign(state, "slot-b");
        (state, var c) = Assign(state, "slot-c");
        // a's current attempt stored its outcome (its report died with the old coordinator); b's stored
        // outcome is from an older attempt; c stored nothing.
        var stored = new Dictionary<string, (int, TrialStatus, string?)>
        {
            [a.TrialId] = (a.Attempt, TrialStatus.Diverged, "loss NaN"),
            [b.TrialId] = (b.Attempt - 1, TrialStatus.Completed, null),
        };

        var events = SweepDecisions.Restarted(state, t => stored.TryGetValue(t, out var o) ? o : null);
        state = Run(state, events);

        Assert.Equal((TrialStatus.Diverged, "loss NaN"), (state.Trials[a.TrialId].Status, state.Trials[a.TrialId].Reason));
        Assert.Equal(TrialStatus.Pending, state.Trials[b.TrialId].Status);
        Assert.Equal(TrialStatus.Pending, state.Trials[c.TrialId].Status);
        Assert.Equal([typeof(TrialFinished), typeof(TrialInterrupted), typeof(TrialInterrupted)], events.Select(e => e.GetType()));
    }

    [Fact]
    public void Replaying_the_events_rebuilds_the_same_state()
    {
        var events = new List<ISweepEvent>();
        var state = SweepState.Empty("machine");
        void Take(IReadOnlyList<ISweepEvent> decided)
        {
            events.AddRange(decided);
            state = Run(state, decided);
        }

        Take(SweepDecisions.Define(state, Definition));
        Take(SweepDecisions.Assign(state, "a"));
        Take(SweepDecisions.Assign(state, "b"));
        var running = state.Trials.Values.First(t => t.Slot == "a");
        Take(SweepDecisions.Finish(state, running.Spec.TrialId, running.Attempts, TrialStatus.Completed, null));

        var replayed = Run(SweepState.Empty("machine"), events);

        Assert.Equal(state.InOrder, replayed.InOrder);
    }
}
