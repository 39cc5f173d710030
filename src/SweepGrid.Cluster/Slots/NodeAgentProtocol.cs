using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Training.Loop;

namespace SweepGrid.Cluster.Slots;

/// <summary>The training side of one node: owns its slots.</summary>
public static class NodeAgentProtocol
{
    public static Props Props(IActorRef coordinator, ResultsStore results, NodeSlots slots) =>
        Akka.Actor.Props.Create(() => new NodeAgent(coordinator, results, slots));

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

/// <summary>A node's training slots: the device of each (see <see cref="Training.Runtime.SlotDevices.Plan"/>).</summary>
/// <param name="Runner">What the slots run for a trial; null: train it (<see cref="TorchTrialRunner"/>).</param>
public sealed record NodeSlots(IReadOnlyList<string> Devices, ITrialRunner? Runner = null)
{
    /// <summary><paramref name="count"/> slots on one device ("cpu", "cuda:N"; null: cuda:0 when there is one, else cpu).</summary>
    public NodeSlots(int count, string? device, ITrialRunner? runner = null)
        : this(Enumerable.Repeat(device ?? (Training.Runtime.SlotDevices.CudaDevices() > 0 ? "cuda:0" : "cpu"), count).ToList(), runner)
    {
    }

    public int Count => Devices.Count;
}
