using Akka.Actor;
using Akka.Cluster;
using SweepGrid.Cluster.Results;
using SweepGrid.Training.Loop;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// Starts this node's training slots. A slot that throws is restarted and asks for work again, which
/// tells the coordinator that its trial was lost.
/// </summary>
internal sealed class NodeAgent : ReceiveActor
{
    public NodeAgent(IActorRef coordinator, ResultsStore results, NodeSlots slots)
    {
        var node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        for (int i = 0; i < slots.Count; i++)
        {
            var slotId = $"{node.Host}:{node.Port}/slot-{i}";
            Context.ActorOf(TrainingSlotProtocol.Props(slotId, coordinator, results, new TrainerOptions(Device: slots.Devices[i]), slots.Runner), $"slot-{i}");
        }
    }
}
