using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Training.Loop;

namespace SweepGrid.Cluster.Slots;

/// <summary>A training slot: one trial at a time on one device (a GPU, or a share of the CPU).</summary>
public static class TrainingSlotProtocol
{
    public static Props Props(string slotId, IActorRef coordinator, ResultsStore results, TrainerOptions options, ITrialRunner? runner = null) =>
        Akka.Actor.Props.Create(() => new TrainingSlot(slotId, coordinator, results, options, runner ?? TorchTrialRunner.Instance));
}
