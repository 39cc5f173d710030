using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Training.Loop;

namespace SweepGrid.Cluster.Slots;

/// <summary>The training side of one node: owns its slots.</summary>
public static class NodeAgentProtocol
{
    public static Props Props(IActorRef coordinator, ResultsStore results, NodeSlots slots) =>
        Akka.Actor.Props.Create(() => new NodeAgent(coordinator, results, slots));
}

/// <summary>How many slots a node runs and on which device each trains.</summary>
/// <param name="Count">Slots on this node.</param>
/// <param name="Device">"cpu", "cuda", or null for cuda when available.</param>
/// <param name="Runner">What the slots run for a trial; null: train it (<see cref="TorchTrialRunner"/>).</param>
public sealed record NodeSlots(int Count, string? Device, ITrialRunner? Runner = null);
