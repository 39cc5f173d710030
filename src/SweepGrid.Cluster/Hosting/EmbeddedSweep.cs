using Akka.Actor;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// Runs a sweep inside a started <see cref="SweepGridHost"/>: its coordinator, this node's slots, and
/// a subscription that hands progress to the caller. Trials the store already finished are not re-run.
/// </summary>
public static class EmbeddedSweep
{
    public static async Task<Snapshot> RunAsync(
        SweepGridHost host, SweepSpec spec, IReadOnlyList<TrialSpec> trials, NodeSlots slots,
        Action<object> onProgress, CancellationToken ct)
    {
        host.Results.SaveSweep(spec);
        var system = host.System;
        var coordinator = system.ActorOf(SweepCoordinatorProtocol.Props(spec.Name, host.Results), $"sweep-{spec.Name}");
        var submitted = await coordinator.Ask<Submitted>(new Submit(trials), TimeSpan.FromSeconds(60), ct);
        onProgress(submitted);

        var finished = new TaskCompletionSource<Snapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = system.ActorOf(ProgressListener.Props(onProgress, finished, self => coordinator.Tell(new Subscribe(self))), $"progress-{spec.Name}");
        coordinator.Tell(new Subscribe(listener));
        var agent = system.ActorOf(NodeAgentProtocol.Props(coordinator, host.Results, slots), $"node-{spec.Name}");
        try
        {
            return await finished.Task.WaitAsync(ct);
        }
        finally
        {
            system.Stop(agent);
            system.Stop(listener);
            system.Stop(coordinator);
        }
    }
}
