using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;
using SweepGrid.Training.Workers;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// A slot's trials run in its worker: a worker that dies under a trial is that trial's failure, with
/// the cause of death as the reason, and the slot carries on with a new worker, pausing longer each time
/// they keep dying. A test probe plays the coordinator; the recorder and its SQLite journal are real.
/// </summary>
public sealed class TrainingSlotWorkerSpec : StoreTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public void A_worker_that_dies_under_a_trial_fails_that_trial_with_its_cause_and_a_new_worker_takes_the_next()
    {
        var trials = TestStores.Trials("dies", seeds: 2);
        Results.Register(trials);
        var coordinator = CreateTestProbe();
        var workers = new InProcessWorkers(() => new NoOpTrialRunner(TimeSpan.Zero),
            run => run.Trial.TrialId == trials[0].TrialId ? (134, "terminate called after throwing an instance of 'c10::Error'") : null);
        Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", workers));

        coordinator.ExpectMsg<RequestWork>(Wait);
        coordinator.Reply(new Assignment(trials[0], 1));
        var failed = coordinator.FishForMessage<ReportFailed>(_ => true, Wait);
        Assert.Equal((trials[0].TrialId, 1), (failed.TrialId, failed.Attempt));
        Assert.Contains("signal 6 (aborted", failed.Reason);
        Assert.Contains("c10::Error", failed.Reason);

        // A new worker, then the next request names the failed attempt as reported.
        var again = coordinator.FishForMessage<RequestWork>(_ => true, Wait);
        Assert.Equal(new ReportedAttempt(trials[0].TrialId, 1), again.Reported);
        Assert.Equal(2, workers.Started);
        coordinator.Reply(new Assignment(trials[1], 1));
        var finished = coordinator.FishForMessage<ReportFinished>(_ => true, Wait);
        Assert.Equal((trials[1].TrialId, TrialStatus.Completed), (finished.TrialId, finished.Status));
    }

    /// <summary>
    /// Reports two epochs, then waits for the slot to say both are stored, as a checkpoint would ask;
    /// the epoch count it saw is the outcome's (0: it was never told).
    /// </summary>
    private sealed class WaitsForStorage : ITrialRunner
    {
        public TrialOutcome Run(TrialRun run)
        {
            EpochRecord Epoch(int n) => new(n, n, run.Trial.LearningRate, 1, 0.5, 1, 0.5, 0, 0);
            run.Observer.OnEpoch(Epoch(1));
            run.Observer.OnEpoch(Epoch(2));
            var deadline = DateTime.UtcNow + Wait;
            int stored;
            while ((stored = run.Options.StoredReports?.Invoke() ?? 0) < 2 && DateTime.UtcNow < deadline) Thread.Sleep(10);
            return new TrialOutcome(TrialStatus.Completed, Epoch(2), stored, 0, null);
        }
    }

    [Fact]
    public void The_slot_tells_its_worker_which_reports_the_recorder_has_stored()
    {
        var trials = TestStores.Trials("stored", seeds: 1);
        Results.Register(trials);
        var coordinator = CreateTestProbe();
        Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", new InProcessWorkers(() => new WaitsForStorage())));

        coordinator.ExpectMsg<RequestWork>(Wait);
        coordinator.Reply(new Assignment(trials[0], 1));

        coordinator.FishForMessage<ReportFinished>(_ => true, Wait);
        // The outcome's step count is what the worker was told was stored: both epochs, from the recorder's acknowledgements.
        Assert.Equal(2L, Results.Read.Rows("trials", "stored").Single()["steps"]);
    }

    [Theory]
    [InlineData("../../../etc", null, 1)]
    [InlineData(null, "../../x.ckpt", 1)]
    [InlineData(null, null, 0)]
    public void A_malformed_assignment_is_ignored_and_the_slot_takes_the_next_good_one(string? sweep, string? trialId, int attempt)
    {
        var trials = TestStores.Trials("malformed", seeds: 1);
        Results.Register(trials);
        var coordinator = CreateTestProbe();
        var workers = new InProcessWorkers(() => new NoOpTrialRunner(TimeSpan.Zero));
        var slot = Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", workers));
        coordinator.ExpectMsg<RequestWork>(Wait);

        var bad = trials[0] with { SweepName = sweep ?? trials[0].SweepName, TrialId = trialId ?? trials[0].TrialId };
        slot.Tell(new Assignment(bad, attempt), coordinator.Ref);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        slot.Tell(new Assignment(trials[0], 1), coordinator.Ref);

        var finished = coordinator.FishForMessage<ReportFinished>(_ => true, Wait);
        Assert.Equal((trials[0].TrialId, 1), (finished.TrialId, finished.Attempt));
    }

    [Fact]
    public void An_idle_slot_whose_request_was_lost_asks_again_as_a_repeat_though_it_tells_its_worker_it_is_alive_every_second()
    {
        var coordinator = CreateTestProbe();
        Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", new InProcessWorkers(() => new NoOpTrialRunner(TimeSpan.Zero))));
        Assert.False(coordinator.ExpectMsg<RequestWork>(Wait).Again);

        // Nobody answers (the director's node died with the request): the slot asks again after 10 s.
        var again = coordinator.ExpectMsg<RequestWork>(TimeSpan.FromSeconds(30));

        Assert.True(again.Again);
        Assert.Equal("slot-0", again.Slot);
    }

    [Fact]
    public void An_assignment_from_anyone_but_the_coordinator_is_ignored()
    {
        var trials = TestStores.Trials("stranger", seeds: 1);
        Results.Register(trials);
        var coordinator = CreateTestProbe();
        var stranger = CreateTestProbe();
        var slot = Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", new InProcessWorkers(() => new NoOpTrialRunner(TimeSpan.Zero))));
        coordinator.ExpectMsg<RequestWork>(Wait);

        slot.Tell(new Assignment(trials[0], 1), stranger.Ref);
        stranger.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        slot.Tell(new Assignment(trials[0], 1), coordinator.Ref);

        Assert.Equal(trials[0].TrialId, coordinator.FishForMessage<ReportFinished>(_ => true, Wait).TrialId);
    }

    [Fact]
    public void Workers_that_keep_dying_make_the_slot_wait_longer_before_it_asks_again()
    {
        var trials = TestStores.Trials("backoff", seeds: 2);
        Results.Register(trials);
        var coordinator = CreateTestProbe();
        var died = DateTime.MaxValue;
        var workers = new InProcessWorkers(() => new NoOpTrialRunner(TimeSpan.Zero), _ =>
        {
            died = DateTime.UtcNow;
            return (137, "Killed");
        });
        Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", workers));
        coordinator.ExpectMsg<RequestWork>(Wait);
        coordinator.Reply(new Assignment(trials[0], 1));
        Assert.Contains("signal 9 (killed: out of memory?", coordinator.FishForMessage<ReportFailed>(_ => true, Wait).Reason);

        // One death: the next worker starts after a second, not at once, and only then does the slot ask.
        // Only a lower bound (0.9 s: the scheduler rounds to its ticks) is asserted, from the death to the
        // request's receipt, which a loaded machine can only lengthen: ExpectNoMsg(0.7 s) once woke up
        // 1.4 s late on a busy machine and failed on the request that was rightly due by then.
        coordinator.FishForMessage<RequestWork>(_ => true, Wait);
        var pause = DateTime.UtcNow - died;
        Assert.True(pause >= TimeSpan.FromMilliseconds(900), $"the slot asked again {pause.TotalMilliseconds:F0} ms after its worker died; the pause is 1 s");
    }

    [Fact]
    public void A_slot_whose_worker_cannot_start_goes_out_of_service_after_three_tries_and_asks_for_nothing()
    {
        var coordinator = CreateTestProbe();
        var workers = new InProcessWorkers(() => new NoOpTrialRunner(TimeSpan.Zero), failsToStart: (134, "Failed to load native component libLibTorchSharp.so"));
        var parent = CreateTestProbe();
        parent.ChildActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", workers));

        // Tries 1 and 2 are retried (after 1 s, then 2 s); the third death takes the slot out of service.
        var broken = parent.ExpectMsg<TrainingSlotProtocol.OutOfService>(TimeSpan.FromSeconds(20));
        Assert.Equal("slot-0", broken.Slot);
        Assert.Contains("died 3 times before it was ready", broken.Reason);
        Assert.Contains("libLibTorchSharp.so", broken.Reason);
        Assert.Equal(3, workers.Started);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
