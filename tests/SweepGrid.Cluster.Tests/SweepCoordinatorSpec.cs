using Akka.Actor;
using Akka.TestKit;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// The coordinator against a real SQLite journal and result tables, with test probes in place of
/// training slots (the slot protocol is the unit under test here; EmbeddedSweepSpec runs real slots).
/// </summary>
public sealed class SweepCoordinatorSpec : StoreTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private IActorRef StartCoordinator(ActorSystem system, SweepDefinition definition, out Submitted submitted)
    {
        var coordinator = system.ActorOf(SweepCoordinatorProtocol.Props(definition.Name, Results));
        var client = CreateTestProbe(system);
        coordinator.Tell(new Define(definition), client);
        submitted = client.ExpectMsg<Submitted>(Wait);
        return coordinator;
    }

    private TestProbe Subscribe(IActorRef coordinator)
    {
        var watcher = CreateTestProbe();
        coordinator.Tell(new Subscribe(watcher));
        watcher.ExpectMsg<SweepProgress>(Wait);
        return watcher;
    }

    /// <summary>(status, attempts) of each trial as the coordinator wrote them to the result tables.</summary>
    private Dictionary<string, (string Status, long Attempts)> Rows(string sweep) =>
        Results.Read.Rows("trials", sweep).ToDictionary(r => (string)r["trial"]!, r => ((string)r["status"]!, (long)r["attempts"]!));

    /// <summary>Attempts the coordinator counted as failed (TrialAttemptFailed in its journal).</summary>
    private long CountedFailures(string sweep) => Journaled(sweep, "trial-attempt-failed");

    /// <summary>Events of one kind (by manifest) in the sweep coordinator's journal.</summary>
    private long Journaled(string sweep, string manifest)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Store.JournalPath};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM journal WHERE persistence_id = '{PersistenceIds.Sweep(sweep)}' AND manifest = '{manifest}';";
        return (long)command.ExecuteScalar()!;
    }

    private static Assignment Pull(TestProbe slot, IActorRef coordinator, string slotId)
    {
        coordinator.Tell(new RequestWork(slotId), slot);
        return slot.ExpectMsg<Assignment>(Wait);
    }

    [Fact]
    public void Every_trial_is_assigned_and_completed_exactly_once_over_several_slots()
    {
        var definition = TestStores.Definition("several", seeds: 7);
        var trials = definition.Expand();
        var coordinator = StartCoordinator(Sys, definition, out var submitted);
        Assert.Equal(new Submitted(7, 7, 0), submitted);
        var watcher = Subscribe(coordinator);

        var slots = Enumerable.Range(0, 3).Select(i => (Probe: CreateTestProbe(), Id: $"slot-{i}")).ToList();
        foreach (var (probe, id) in slots) coordinator.Tell(new RequestWork(id), probe);
        var assigned = new List<string>();
        var waiting = slots.ToList();
        var deadline = DateTime.UtcNow + Wait;
        // A slot that asks while nothing is pending is answered later (an assignment, or NoMoreWork
        // when the sweep is done), so poll each waiting slot briefly instead of blocking on one.
        while (waiting.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var slot in waiting.ToList())
            {
                switch (slot.Probe.ReceiveOne(TimeSpan.FromMilliseconds(100)))
                {
                    case Assignment work:
                        assigned.Add(work.Trial.TrialId);
                        coordinator.Tell(new ReportFinished(work.Trial.TrialId, work.Attempt, TrialStatus.Completed, null), slot.Probe);
                        coordinator.Tell(new RequestWork(slot.Id), slot.Probe);
                        break;
                    case NoMoreWork:
                        waiting.Remove(slot);
                        break;
                }
            }
        }

        Assert.Empty(waiting);
        Assert.Equal(trials.Select(t => t.TrialId).Order(), assigned.Order());
        var finished = watcher.FishForMessage<SweepFinished>(_ => true, Wait);
        Assert.Equal(new TrialCounts(0, 0, 7, 0, 0), finished.Final.Counts);
        Assert.All(Rows("several").Values, r => Assert.Equal(("completed", 1L), r));
    }

    [Fact]
    public async Task After_a_restart_on_the_sameStore_finished_trials_are_not_run_again()
    {
        var definition = TestStores.Definition("restart", seeds: 4);
        var trials = definition.Expand();
        var first = ActorSystem.Create("first", NodeConfig.Local(Store));
        string interrupted;
        try
        {
            var coordinator = StartCoordinator(first, definition, out _);
            var slot = CreateTestProbe(first);
            for (int i = 0; i < 2; i++)
            {
                var work = Pull(slot, coordinator, "slot-0");
                coordinator.Tell(new ReportFinished(work.Trial.TrialId, work.Attempt, TrialStatus.Completed, null), slot);
            }

            // A third trial is running when the whole process goes away.
            interrupted = Pull(slot, coordinator, "slot-0").Trial.TrialId;
        }
        finally
        {
            await first.Terminate().WaitAsync(Wait);
        }

        var second = ActorSystem.Create("second", NodeConfig.Local(Store));
        try
        {
            var coordinator = StartCoordinator(second, definition, out var submitted);
            Assert.Equal(new Submitted(0, 4, 2), submitted);

            var slot = CreateTestProbe(second);
            var rerun = new List<Assignment>();
            for (int i = 0; i < 2; i++)
            {
                var work = Pull(slot, coordinator, "slot-0");
                rerun.Add(work);
                coordinator.Tell(new ReportFinished(work.Trial.TrialId, work.Attempt, TrialStatus.Completed, null), slot);
            }

            coordinator.Tell(new RequestWork("slot-0"), slot);
            slot.ExpectMsg<NoMoreWork>(Wait);
            var expected = trials.Select(t => t.TrialId).Skip(2).ToList();
            Assert.Equal(expected, rerun.Select(w => w.Trial.TrialId));
            Assert.Equal(2, rerun.Single(w => w.Trial.TrialId == interrupted).Attempt);
        }
        finally
        {
            await second.Terminate().WaitAsync(Wait);
        }
    }

    [Fact]
    public void A_lost_slot_gives_its_trial_to_another_and_its_late_report_is_ignored()
    {
        var coordinator = StartCoordinator(Sys, TestStores.Definition("lost", seeds: 1), out _);
        var watcher = Subscribe(coordinator);
        var doomed = CreateTestProbe();
        var survivor = CreateTestProbe();
        var first = Pull(doomed, coordinator, "doomed");
        coordinator.Tell(new RequestWork("survivor"), survivor);
        survivor.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Watch(doomed.Ref);
        Sys.Stop(doomed.Ref);
        ExpectTerminated(doomed.Ref, Wait);

        var second = survivor.ExpectMsg<Assignment>(Wait);
        Assert.Equal((first.Trial.TrialId, 2), (second.Trial.TrialId, second.Attempt));
        // The superseded attempt reports late (e.g. from a partitioned node): ignored.
        coordinator.Tell(new ReportFinished(first.Trial.TrialId, first.Attempt, TrialStatus.Diverged, "late"), survivor);
        coordinator.Tell(new ReportFinished(second.Trial.TrialId, second.Attempt, TrialStatus.Completed, null), survivor);
        var finished = watcher.FishForMessage<SweepFinished>(_ => true, Wait);
        Assert.Equal(1, finished.Final.Count(TrialStatus.Completed));
        Assert.Equal(("completed", 2L), Rows("lost")[first.Trial.TrialId]);
        // The lost attempt was interrupted, not failed: a trial that crashes kills only its worker, which its slot reports.
        Assert.Equal((0, 1), (CountedFailures("lost"), Journaled("lost", "trial-interrupted")));
    }

    [Fact]
    public void A_repeated_request_gets_the_same_assignment_again_and_counts_no_failure()
    {
        var coordinator = StartCoordinator(Sys, TestStores.Definition("again", seeds: 2), out _);
        var watcher = Subscribe(coordinator);
        var slot = CreateTestProbe();
        var first = Pull(slot, coordinator, "slot");

        coordinator.Tell(new RequestWork("slot", Again: true), slot);
        var again = slot.ExpectMsg<Assignment>(Wait);
        coordinator.Tell(new ReportFinished(first.Trial.TrialId, first.Attempt, TrialStatus.Completed, null), slot);
        var second = Pull(slot, coordinator, "slot");
        coordinator.Tell(new ReportFinished(second.Trial.TrialId, second.Attempt, TrialStatus.Completed, null), slot);

        Assert.Equal((first.Trial.TrialId, first.Attempt), (again.Trial.TrialId, again.Attempt));
        Assert.Equal(2, watcher.FishForMessage<SweepFinished>(_ => true, Wait).Final.Count(TrialStatus.Completed));
        Assert.All(Rows("again").Values, r => Assert.Equal(("completed", 1L), r));
        Assert.Equal(0, CountedFailures("again"));
    }

    [Fact]
    public void A_request_for_work_that_overtakes_the_report_it_follows_counts_no_failure()
    {
        var coordinator = StartCoordinator(Sys, TestStores.Definition("overtaken", seeds: 2), out _);
        var watcher = Subscribe(coordinator);
        var slot = CreateTestProbe();
        var first = Pull(slot, coordinator, "slot");

        // The slot's next request (through the director) arrives before its report (sent directly).
        coordinator.Tell(new RequestWork("slot", Reported: new ReportedAttempt(first.Trial.TrialId, first.Attempt)), slot);
        var second = slot.ExpectMsg<Assignment>(Wait);
        coordinator.Tell(new ReportFinished(first.Trial.TrialId, first.Attempt, TrialStatus.Completed, null), slot);
        coordinator.Tell(new ReportFinished(second.Trial.TrialId, second.Attempt, TrialStatus.Completed, null), slot);

        Assert.Equal(2, watcher.FishForMessage<SweepFinished>(_ => true, Wait).Final.Count(TrialStatus.Completed));
        Assert.All(Rows("overtaken").Values, r => Assert.Equal(("completed", 1L), r));
        Assert.Equal(0, CountedFailures("overtaken"));
    }

    [Fact]
    public void A_released_trial_is_acknowledged_requeued_and_its_slot_leaving_counts_no_failure()
    {
        var coordinator = StartCoordinator(Sys, TestStores.Definition("released", seeds: 1), out _);
        var watcher = Subscribe(coordinator);
        var leaving = CreateTestProbe();
        var first = Pull(leaving, coordinator, "leaving");

        coordinator.Tell(new ReportReleased(first.Trial.TrialId, first.Attempt, "its node shut down"), leaving);
        Assert.Equal(new ReleaseRecorded(first.Trial.TrialId, first.Attempt), leaving.ExpectMsg<ReleaseRecorded>(Wait));
        // After the acknowledgement the node leaves: its slot is gone, and that must not count a failure.
        Watch(leaving.Ref);
        Sys.Stop(leaving.Ref);
        ExpectTerminated(leaving.Ref, Wait);

        var other = CreateTestProbe();
        var second = Pull(other, coordinator, "other");
        Assert.Equal((first.Trial.TrialId, 2), (second.Trial.TrialId, second.Attempt));
        coordinator.Tell(new ReportFinished(second.Trial.TrialId, second.Attempt, TrialStatus.Completed, null), other);
        Assert.Equal(1, watcher.FishForMessage<SweepFinished>(_ => true, Wait).Final.Count(TrialStatus.Completed));
        Assert.Equal(("completed", 2L), Rows("released")[first.Trial.TrialId]);
        Assert.Equal(0, CountedFailures("released"));
    }

    [Fact]
    public void A_crashing_trial_fails_after_max_failures_and_the_sweep_still_finishes()
    {
        var definition = TestStores.Definition("crashy", seeds: 2);
        var trials = definition.Expand();
        var coordinator = StartCoordinator(Sys, definition, out _);
        var watcher = Subscribe(coordinator);
        var slot = CreateTestProbe();
        var bad = trials[0].TrialId;
        for (int i = 0; i < 10; i++)
        {
            coordinator.Tell(new RequestWork("slot"), slot);
            if (slot.ExpectMsg<object>(Wait) is not Assignment work) break;
            object report = work.Trial.TrialId == bad
                ? new ReportFailed(bad, work.Attempt, $"crash {work.Attempt}")
                : new ReportFinished(work.Trial.TrialId, work.Attempt, TrialStatus.Completed, null);
            coordinator.Tell(report, slot);
        }

        var final = watcher.FishForMessage<SweepFinished>(_ => true, Wait).Final;
        Assert.Equal(new TrialCounts(0, 0, 1, 0, 1), final.Counts);
        var row = Results.Read.Rows("trials", "crashy").Single(r => (string)r["trial"]! == bad);
        Assert.Equal(("failed", 3L, "crash 3"), (row["status"], row["attempts"], row["reason"]));
        Assert.Equal(3, CountedFailures("crashy"));
    }

    [Fact]
    public async Task A_definition_the_journal_refuses_changes_nothing_and_the_sweep_stays_resumable()
    {
        // 12,000 listed seeds: over the size bound of a journaled event, so the journal rejects it
        // (SweepDefinition.Create refuses such a sweep up front; this one skips that check).
        var spec = TestStores.Definition("refused", seeds: 1).Spec;
        var seeds = Enumerable.Range(1_000_000, 12_000).ToList();
        var huge = spec with { Grids = [spec.Grids[0] with { Seed = seeds }] };
        var expanded = GridExpansion.Expand(huge);
        var oversized = new SweepDefinition(huge, 256, expanded.Count, SweepDefinition.FingerprintOf(expanded));
        var small = TestStores.Definition("refused", seeds: 2);
        var first = ActorSystem.Create("first", NodeConfig.Local(Store));
        try
        {
            var coordinator = first.ActorOf(SweepCoordinatorProtocol.Props("refused", Results));
            var client = CreateTestProbe(first);
            coordinator.Tell(new Define(oversized), client);
            var rejected = client.ExpectMsg<SubmitRejected>(Wait);
            Assert.False(rejected.BadInput);
            Assert.Contains("refused the sweep's definition", Assert.Single(rejected.Errors));
            Assert.Equal(0, Results.Read.CountTrials("refused"));

            // Nothing of it was installed: the same coordinator takes the next definition as the first.
            coordinator.Tell(new Define(small), client);
            Assert.Equal(new Submitted(2, 2, 0), client.ExpectMsg<Submitted>(Wait));
        }
        finally
        {
            await first.Terminate().WaitAsync(Wait);
        }

        var second = ActorSystem.Create("second", NodeConfig.Local(Store));
        try
        {
            var coordinator = StartCoordinator(second, small, out var submitted);
            Assert.Equal(new Submitted(0, 2, 0), submitted);
            var slot = CreateTestProbe(second);
            Assert.Equal(small.Expand()[0].TrialId, Pull(slot, coordinator, "slot").Trial.TrialId);
        }
        finally
        {
            await second.Terminate().WaitAsync(Wait);
        }
    }

    [Fact]
    public void Followers_get_counts_and_per_trial_deltas_never_the_list_of_trials()
    {
        var definition = TestStores.Definition("deltas", seeds: 3, epochs: 2);
        var coordinator = StartCoordinator(Sys, definition, out _);
        var watcher = CreateTestProbe();
        coordinator.Tell(new Subscribe(watcher));
        var progress = watcher.ExpectMsg<SweepProgress>(Wait);
        Assert.Equal((new TrialCounts(3, 0, 0, 0, 0), 6L, 0L), (progress.Counts, progress.TotalEpochs, progress.SettledEpochs));
        Assert.Empty(progress.Running);

        var slot = CreateTestProbe();
        var work = Pull(slot, coordinator, "slot-0");
        var started = watcher.ExpectMsg<TrialStarted>(Wait);
        Assert.Equal((work.Trial.TrialId, 1, "slot-0", 2), (started.TrialId, started.Attempt, started.Slot, started.Epochs));
        Assert.Contains("seed 1", started.Description);
        coordinator.Tell(new ReportEpoch(work.Trial.TrialId, 1, new EpochRecord(1, 8, 0.05, 1, 0.5, 1, 0.5, 0.1, 0.1)), slot);
        Assert.Equal(2, watcher.ExpectMsg<TrialEpoch>(Wait).Epochs);

        // A late follower sees the running trial and its last epoch in the counts it starts from.
        var late = CreateTestProbe();
        coordinator.Tell(new Subscribe(late));
        var now = late.ExpectMsg<SweepProgress>(Wait);
        var running = Assert.Single(now.Running);
        Assert.Equal((work.Trial.TrialId, "slot-0", 1, 2), (running.TrialId, running.Slot, running.Epoch, running.Epochs));
        Assert.Equal(new TrialCounts(2, 1, 0, 0, 0), now.Counts);

        coordinator.Tell(new ReportFinished(work.Trial.TrialId, 1, TrialStatus.Completed, null), slot);
        var settled = watcher.ExpectMsg<TrialSettled>(Wait);
        Assert.Equal((TrialStatus.Completed, 2), (settled.Status, settled.Epochs));
    }
}
