using Akka.Actor;
using SweepGrid.Cluster.Coordination;

namespace SweepGrid.Cluster.Slots;

/// <summary>
/// Who may give a slot a trial: a sweep coordinator under the sweep director (which the slot asks
/// through the singleton proxy, and which lives on a coordinator node, or in `run`'s own process), or
/// the actor the slot asks itself, or one under it (a coordinator asked directly, as the specs do).
/// </summary>
public static class AssignmentSource
{
    /// <param name="sender">The actor the assignment came from.</param>
    /// <param name="asked">The actor the slot sends its requests to.</param>
    public static bool IsCoordinatorPath(ActorPath sender, ActorPath asked)
    {
        if (IsAtOrUnder(sender, asked)) return true;
        var elements = sender.Elements;
        return elements.Count >= 3 && elements[0] == "user" && elements[1] == SweepDirectorProtocol.ManagerName;
    }

    private static bool IsAtOrUnder(ActorPath path, ActorPath root)
    {
        if (path.Address != root.Address || path.Elements.Count < root.Elements.Count) return false;
        return path.Elements.Take(root.Elements.Count).SequenceEqual(root.Elements);
    }
}
