using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Results;
using SweepGrid.Training.Loop;
using SweepGrid.Training.Workers;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// A slot asked to leave (its node is shutting down) hands its trial back after the running epoch,
/// waits until the coordinator has re-queued it, and hands back any assignment that still reaches it.
/// A test probe plays the coordinator; the recorder and its SQLite journal are real.
/// </summary>
public sealed class TrainingSlotLeaveSpec : StoreTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Reports an epoch every 50 ms until released, as the trainer does at an epoch's end.</summary>
    private sealed class EpochsUntilReleased : ITrialRunner
    {
        public TrialOutcome Run(TrialRun run)
        {
            for (int epoch = 1; ; epoch++)
            {
                run.Token.ThrowIfCancellationRequested();
                Thread.Sleep(50);
                run.Observer.OnEpoch(new EpochRecord(epoch, epoch * 8L, 0.05, 1.0 / epoch, 0.6, 1.1 / epoch, 0.55, 0.3 * epoch, epoch));
                if (run.Release.IsCancellationRequested) throw new TrialReleasedException(run.Trial.TrialId, epoch, checkpointed: true);
            }
        }
    }

    [Fact]
    public void A_training_slot_hands_its_trial_back_and_leaves_once_the_coordinator_has_requeued_it()
    {
        var trials = TestStores.Trials("leave", seeds: 2);
        Results.Register(trials);
        var coordinator = CreateTestProbe();
        var slot = Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", new InProcessWorkers(() => new EpochsUntilReleased())));
        coordinator.ExpectMsg<RequestWork>(Wait);
        coordinator.Reply(new Assignment(trials[0], 1));
        coordinator.FishForMessage<ReportEpoch>(e => e.Record.Epoch >= 2, Wait);

        slot.Tell(TrainingSlotProtocol.Leave.Instance, TestActor);
        var released = coordinator.FishForMessage<ReportReleased>(_ => true, Wait);
        Assert.Equal((trials[0].TrialId, 1, "its node shut down"), (released.TrialId, released.Attempt, released.Reason));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // not gone until the coordinator has journaled the release
        coordinator.Reply(new ReleaseRecorded(released.TrialId, released.Attempt));
        var left = ExpectMsg<TrainingSlotProtocol.Left>(Wait);
        Assert.Matches($"^trial {trials[0].TrialId} of sweep leave \\(attempt 1\\) handed back after epoch [0-9]+, checkpointed$", left.Note);

        // It asks for no more work, and an assignment that still comes goes straight back.
        coordinator.Send(slot, new Assignment(trials[1], 1));
        Assert.Equal(new ReportReleased(trials[1].TrialId, 1, "its node shut down"), coordinator.FishForMessage<ReportReleased>(_ => true, Wait));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void An_idle_slot_leaves_at_once()
    {
        var coordinator = CreateTestProbe();
        var slot = Sys.ActorOf(TrainingSlotProtocol.Props("slot-0", coordinator.Ref, Results, "cpu", new InProcessWorkers(() => new EpochsUntilReleased())));
        coordinator.ExpectMsg<RequestWork>(Wait);
        slot.Tell(TrainingSlotProtocol.Leave.Instance, TestActor);
        Assert.Null(ExpectMsg<TrainingSlotProtocol.Left>(Wait).Note);
    }
}
