using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Training.Loop;

namespace SweepGrid.Cluster.Slots;

/// <summary>A training slot: one trial at a time on one device (a GPU, or a share of the CPU).</summary>
public static class TrainingSlotProtocol
{
    public static Props Props(string slotId, IActorRef coordinator, ResultsStore results, TrainerOptions options, ITrialRunner? runner = null) =>
        Akka.Actor.Props.Create(() => new TrainingSlot(slotId, coordinator, results, options, runner ?? TorchTrialRunner.Instance));

    /// <summary>
    /// The node is shutting down: hand back the running trial (at the end of its epoch, checkpointed)
    /// and take no more. Answered with <see cref="Left"/> once the coordinator has re-queued it.
    /// </summary>
    public sealed class Leave
    {
        public static readonly Leave Instance = new();

        private Leave()
        {
        }
    }

    /// <param name="Note">What became of the slot's trial, for the node's last lines; null if it had none.</param>
    public sealed record Left(string? Note);
}
