using Akka.Actor;
using Akka.TestKit;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;
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

    private IActorRef StartCoordinator(ActorSystem system, string sweep, IReadOnlyList<TrialSpec> trials, out Submitted submitted)
    {
        var coordinator = system.ActorOf(SweepCoordinatorProtocol.Props(sweep, Results));
        var client = CreateTestProbe(system);
        coordinator.Tell(new Submit(trials), client);
        submitted = client.ExpectMsg<Submitted>(Wait);
        return coordinator;
    }

    private TestProbe Subscribe(IActorRef coordinator)
    {
        var watcher = CreateTestProbe();
        coordinator.Tell(new Subscribe(watcher));
        watcher.ExpectMsg<Snapshot>(Wait);
        return watcher;
    }

    private static Assignment Pull(TestProbe slot, IActorRef coordinator, string slotId)
    {
        coordinator.Tell(new RequestWork(slotId), slot);
        return slot.ExpectMsg<Assignment>(Wait);
    }

    [Fact]
    public void Every_trial_is_assigned_and_completed_exactly_once_over_several_slots()
    {
        var trials = TestStores.Trials("several", seeds: 7);
        var coordinator = StartCoordinator(Sys, "several", trials, out var submitted);
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
        Assert.All(finished.Final.Trials, t => Assert.Equal((TrialStatus.Completed, 1), (t.Status, t.Attempts)));
        Assert.All(Results.Rows("trials", "several"), r => Assert.Equal("completed", r["status"]));
    }

    [Fact]
    public async Task After_a_restart_on_the_sameStore_finished_trials_are_not_run_again()
    {
        var trials = TestStores.Trials("restart", seeds: 4);
        var first = ActorSystem.Create("first", SweepGridHost.EmbeddedConfig(Store));
        string interrupted;
        try
        {
            var coordinator = StartCoordinator(first, "restart", trials, out _);
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

        var second = ActorSystem.Create("second", SweepGridHost.EmbeddedConfig(Store));
        try
        {
            var coordinator = StartCoordinator(second, "restart", trials, out var submitted);
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
        var trials = TestStores.Trials("lost", seeds: 1);
        var coordinator = StartCoordinator(Sys, "lost", trials, out _);
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
        var entry = Assert.Single(finished.Final.Trials);
        // The lost attempt counts against max-failures (a trial that kills its slot must not loop forever).
        Assert.Equal((TrialStatus.Completed, 2, 1), (entry.Status, entry.Attempts, entry.Failures));
    }

    [Fact]
    public void A_repeated_request_gets_the_same_assignment_again_and_counts_no_failure()
    {
        var trials = TestStores.Trials("again", seeds: 2);
        var coordinator = StartCoordinator(Sys, "again", trials, out _);
        var watcher = Subscribe(coordinator);
        var slot = CreateTestProbe();
        var first = Pull(slot, coordinator, "slot");

        coordinator.Tell(new RequestWork("slot", Again: true), slot);
        var again = slot.ExpectMsg<Assignment>(Wait);
        coordinator.Tell(new ReportFinished(first.Trial.TrialId, first.Attempt, TrialStatus.Completed, null), slot);
        var second = Pull(slot, coordinator, "slot");
        coordinator.Tell(new ReportFinished(second.Trial.TrialId, second.Attempt, TrialStatus.Completed, null), slot);

        Assert.Equal((first.Trial.TrialId, first.Attempt), (again.Trial.TrialId, again.Attempt));
        var finished = watcher.FishForMessage<SweepFinished>(_ => true, Wait);
        Assert.All(finished.Final.Trials, t => Assert.Equal((TrialStatus.Completed, 1, 0), (t.Status, t.Attempts, t.Failures)));
    }

    [Fact]
    public void A_released_trial_is_acknowledged_requeued_and_its_slot_leaving_counts_no_failure()
    {
        var trials = TestStores.Trials("released", seeds: 1);
        var coordinator = StartCoordinator(Sys, "released", trials, out _);
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
        var entry = Assert.Single(watcher.FishForMessage<SweepFinished>(_ => true, Wait).Final.Trials);
        Assert.Equal((TrialStatus.Completed, 2, 0), (entry.Status, entry.Attempts, entry.Failures));
    }

    [Fact]
    public void A_crashing_trial_fails_after_max_failures_and_the_sweep_still_finishes()
    {
        var trials = TestStores.Trials("crashy", seeds: 2);
        var coordinator = StartCoordinator(Sys, "crashy", trials, out _);
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
        var failed = final.Trials.Single(t => t.Spec.TrialId == bad);
        Assert.Equal((TrialStatus.Failed, 3, "crash 3"), (failed.Status, failed.Failures, failed.Reason));
        Assert.Equal(TrialStatus.Completed, final.Trials.Single(t => t.Spec.TrialId != bad).Status);
        var row = Results.Rows("trials", "crashy").Single(r => (string)r["trial"]! == bad);
        Assert.Equal(("failed", 3L), (row["status"], row["attempts"]));
    }
}
