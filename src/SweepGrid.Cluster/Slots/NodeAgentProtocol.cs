using Akka.Actor;
using SweepGrid.Store;
using SweepGrid.Cluster.Workers;

namespace SweepGrid.Cluster.Slots;

/// <summary>The training side of one node: owns its slots.</summary>
public static class NodeAgentProtocol
{
    /// <param name="freezes">Tells the slots that this process stood still past the cluster's downing time; null: never asked (`run`, tests).</param>
    public static Props Props(IActorRef coordinator, ResultsStore results, NodeSlots slots, Core.Slots.FreezeWatch? freezes = null) =>
        Akka.Actor.Props.Create(() => new NodeAgent(coordinator, results, slots, freezes));

    /// <summary>The node is shutting down: every slot hands back its trial. Answered with <see cref="TrialsReleased"/>.</summary>
    public sealed class ReleaseTrials
    {
        public static readonly ReleaseTrials Instance = new();

        private ReleaseTrials()
        {
        }
    }

    /// <param name="Notes">One line per slot that had a trial: what became of it.</param>
    public sealed record TrialsReleased(IReadOnlyList<string> Notes);
}

/// <summary>A node's training slots: the device of each, and how each starts its worker.</summary>
public sealed record NodeSlots(IReadOnlyList<string> Devices, IWorkerLauncher Launcher)
{
    /// <summary><paramref name="count"/> slots on one device.</summary>
    public NodeSlots(int count, string device, IWorkerLauncher launcher)
        : this(Enumerable.Repeat(device, count).ToList(), launcher)
    {
    }

    public int Count => Devices.Count;
}
