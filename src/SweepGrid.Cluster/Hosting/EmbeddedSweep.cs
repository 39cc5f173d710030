using Akka.Actor;
using SweepGrid.Cluster.Slots;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Core.Sweeps;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// Runs a sweep inside a started <see cref="SweepGridHost"/>: its coordinator, this node's slots, and
/// a subscription that hands progress to the caller. Trials the store already finished are not re-run.
/// </summary>
public static class EmbeddedSweep
{
    /// <exception cref="SweepRejectedException">The coordinator could not journal the sweep; nothing of it was stored.</exception>
    public static async Task<SweepProgress> RunAsync(
        SweepGridHost host, SweepDefinition definition, NodeSlots slots, Action<object> onProgress, CancellationToken ct)
    {
        var name = definition.Name;
        host.Results.Write.Sweep(definition.Spec);
        var system = host.System;
        var coordinator = system.ActorOf(SweepCoordinatorProtocol.Props(name, host.Results), $"sweep-{name}");
        try
        {
            var answer = await coordinator.Ask<object>(new Define(definition), TimeSpan.FromSeconds(120), ct);
            if (answer is SubmitRejected rejected) throw new SweepRejectedException(rejected);
            onProgress(answer);

            var finished = new TaskCompletionSource<SweepProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
            int outOfService = 0;
            void OnProgress(object message)
            {
                onProgress(message);
                // With no slot left that can train, the sweep would wait for ever.
                if (message is TrainingSlotProtocol.OutOfService o && Interlocked.Increment(ref outOfService) == slots.Count)
                {
                    finished.TrySetException(new InvalidOperationException($"no slot can train: slot {o.Slot}: {o.Reason}"));
                }
            }

            var listener = system.ActorOf(ProgressListener.Props(OnProgress, finished, self => coordinator.Tell(new Subscribe(self))), $"progress-{name}");
            system.EventStream.Subscribe(listener, typeof(TrainingSlotProtocol.OutOfService));
            coordinator.Tell(new Subscribe(listener));
            var agent = system.ActorOf(NodeAgentProtocol.Props(coordinator, host.Results, slots), $"node-{name}");
            try
            {
                return await finished.Task.WaitAsync(ct);
            }
            finally
            {
                system.Stop(agent);
                system.Stop(listener);
            }
        }
        finally
        {
            system.Stop(coordinator);
        }
    }
}

/// <summary>A sweep the coordinator did not accept: <see cref="Rejection"/> says why.</summary>
public sealed class SweepRejectedException(SubmitRejected rejection) : Exception(string.Join(Environment.NewLine, rejection.Errors))
{
    public SubmitRejected Rejection { get; } = rejection;
}
