using Akka.Actor;
using SweepGrid.Store;
using SweepGrid.Cluster.Workers;

namespace SweepGrid.Cluster.Slots;

/// <summary>A training slot: one trial at a time on one device (a GPU, or a share of the CPU), in a worker process of its own.</summary>
public static class TrainingSlotProtocol
{
    /// <param name="device">"cpu", "cuda" or "cuda:N": where its worker trains.</param>
    /// <param name="freezes">Asked before relaying what the worker said: null where this process cannot be downed by others (`run`).</param>
    public static Props Props(string slotId, IActorRef coordinator, ResultsStore results, string device, IWorkerLauncher launcher,
        Core.Slots.FreezeWatch? freezes = null) =>
        Akka.Actor.Props.Create(() => new TrainingSlot(slotId, coordinator, results, device, launcher, freezes));

    /// <summary>
    /// The node is shutting down: hand back the running trial (after its current step, checkpointed)
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

    /// <summary>
    /// The slot's worker died <see cref="Core.Slots.WorkerHealth.StartAttempts"/> times in a row before it was ready
    /// (libtorch cannot load, a --slot-memory too small to start in): the slot takes no work. Told to
    /// its node agent, which publishes it on the event stream (a `run` with every slot out of service fails).
    /// </summary>
    public sealed record OutOfService(string Slot, string Reason);
}
