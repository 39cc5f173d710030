using Akka.Actor;
using SweepGrid.Cluster.Slots;

namespace SweepGrid.Cluster.Tests;

public sealed class AssignmentSourceTests
{
    private static ActorPath P(string path) => ActorPath.Parse(path);

    [Theory]
    // Asked directly: the sweep's coordinator answers from the child under its supervisor.
    [InlineData("akka://sweepgrid/user/sweep-quick/coordinator", "akka://sweepgrid/user/sweep-quick", true)]
    [InlineData("akka://sweepgrid/user/sweep-quick", "akka://sweepgrid/user/sweep-quick", true)]
    // Cluster: asked through the proxy, answered by a sweep coordinator under the director singleton on another node.
    [InlineData("akka.ssl.tcp://sweepgrid@coordinator-0:4053/user/director/singleton/director/sweep-quick/coordinator", "akka://sweepgrid/user/director-proxy", true)]
    // Anything else: another node's slot, a client, a user actor that merely shares a prefix.
    [InlineData("akka.ssl.tcp://sweepgrid@worker-3:4053/user/node/slot-0", "akka://sweepgrid/user/director-proxy", false)]
    [InlineData("akka.ssl.tcp://sweepgrid@laptop:4053/user/submit", "akka://sweepgrid/user/director-proxy", false)]
    [InlineData("akka://sweepgrid/user/director-proxy-evil/x", "akka://sweepgrid/user/director-proxy", false)]
    [InlineData("akka://sweepgrid/user/director", "akka://sweepgrid/user/director-proxy", false)]
    [InlineData("akka://sweepgrid/user/sweep-other/coordinator", "akka://sweepgrid/user/sweep-quick", false)]
    public void Only_a_sweep_coordinator_may_assign_a_slot_a_trial(string sender, string asked, bool accepted)
    {
        Assert.Equal(accepted, AssignmentSource.IsCoordinatorPath(P(sender), P(asked)));
    }
}
