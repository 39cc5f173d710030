using Akka.Actor;
using SweepGrid.Store;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// Starts this node's training slots. A slot that throws is restarted and asks for work again, which
/// tells the coordinator that its trial was lost. At shutdown it asks every slot to hand back its
/// trial and answers once all have (<see cref="NodeAgentProtocol.ReleaseTrials"/>).
/// </summary>
internal sealed class NodeAgent : ReceiveActor
{
    private readonly List<IActorRef> _slots = [];

    public NodeAgent(IActorRef coordinator, ResultsStore results, NodeSlots slots, Core.Slots.FreezeWatch? freezes)
    {
        var node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        for (int i = 0; i < slots.Count; i++)
        {
            var slotId = $"{node.Host}:{node.Port}/slot-{i}";
            _slots.Add(Context.ActorOf(TrainingSlotProtocol.Props(slotId, coordinator, results, slots.Devices[i], slots.Launcher, freezes), $"slot-{i}"));
        }

        Receive<NodeAgentProtocol.ReleaseTrials>(_ => Release(Sender));
        Receive<TrainingSlotProtocol.OutOfService>(o => Context.System.EventStream.Publish(o));
    }

    private void Release(IActorRef requester)
    {
        if (_slots.Count == 0)
        {
            requester.Tell(new NodeAgentProtocol.TrialsReleased([]));
            return;
        }

        foreach (var slot in _slots) slot.Tell(TrainingSlotProtocol.Leave.Instance);
        var notes = new List<string>();
        int waiting = _slots.Count;
        Become(() => Receive<TrainingSlotProtocol.Left>(left =>
        {
            if (left.Note is not null) notes.Add(left.Note);
            if (--waiting == 0) requester.Tell(new NodeAgentProtocol.TrialsReleased(notes));
        }));
    }
}
