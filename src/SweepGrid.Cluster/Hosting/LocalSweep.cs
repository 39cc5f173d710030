using Akka.Actor;
using SweepGrid.Cluster.Coordination;
using SweepGrid.Cluster.Slots;
using SweepGrid.Core.Sweeps;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// `run` and `resume`: a sweep this process has checked, submitted to its own node's director (a
/// one-node cluster, <see cref="SweepGridNode.StartLocalAsync"/>) and followed to its end, exactly as a
/// cluster runs one. Trials the store already finished are not re-run.
/// </summary>
public static class LocalSweep
{
    /// <summary>How long the sweep's coordinator may take to journal the sweep and answer (100,000 trials take seconds).</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(120);

    /// <param name="onProgress">Every message of the sweep's progress, from the answer (<see cref="Submitted"/>) to its end.</param>
    /// <exception cref="SweepRejectedException">The coordinator could not journal the sweep; nothing of it was stored.</exception>
    /// <exception cref="InvalidOperationException">Every slot of the node went out of service: nothing can train.</exception>
    public static async Task<SweepProgress> RunAsync(SweepGridNode node, SweepDefinition definition, Action<object> onProgress, CancellationToken ct)
    {
        var system = node.System;
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<SweepProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        int outOfService = 0;
        void OnMessage(object message)
        {
            switch (message)
            {
                case SubmitRejected rejected:
                    finished.TrySetException(new SweepRejectedException(rejected));
                    return;
                case Submitted:
                    answered.TrySetResult();
                    break;
                // With no slot left that can train, the sweep would wait for ever.
                case TrainingSlotProtocol.OutOfService o when Interlocked.Increment(ref outOfService) == node.SlotCount:
                    finished.TrySetException(new InvalidOperationException($"no slot can train: slot {o.Slot}: {o.Reason}"));
                    break;
                // A full store stays full until someone frees space: stop, and say so once.
                case StoreOutOfSpace full:
                    finished.TrySetException(new StoreFullException(node.Results.Describe, full.Reason, definition.Name));
                    break;
            }

            onProgress(message);
        }

        // Subscribed again through the director if the coordinator stops (a failed journal write restarts it).
        var listener = system.ActorOf(ProgressListener.Props(OnMessage, finished,
            self => node.Director.Tell(new SweepDirectorProtocol.SubscribeSweep(definition.Name, self))), $"run-{definition.Name}");
        system.EventStream.Subscribe(listener, typeof(TrainingSlotProtocol.OutOfService));
        system.EventStream.Subscribe(listener, typeof(StoreOutOfSpace));
        try
        {
            node.Director.Tell(new SweepDirectorProtocol.SubmitDefinition(definition, Follow: true), listener);
            if (await Task.WhenAny(answered.Task, finished.Task, Task.Delay(AnswerWithin, ct)) is var first && first != answered.Task && first != finished.Task)
            {
                ct.ThrowIfCancellationRequested();
                throw new TimeoutException($"sweep {definition.Name}: its coordinator did not answer within {AnswerWithin.TotalSeconds:F0} s");
            }

            return await finished.Task.WaitAsync(ct);
        }
        finally
        {
            system.Stop(listener);
        }
    }
}

/// <summary>The store ran out of space under a trial: no trial was charged, and `resume` finishes the sweep once there is room.</summary>
public sealed class StoreFullException(string store, string reason, string sweep)
    : Exception($"{store}: no space left on device ({reason}); no trial was charged for it: free space, then `sweepgrid resume {sweep}` finishes the sweep");

/// <summary>A sweep the coordinator did not accept: <see cref="Rejection"/> says why.</summary>
public sealed class SweepRejectedException(SubmitRejected rejection) : Exception(string.Join(Environment.NewLine, rejection.Errors))
{
    public SubmitRejected Rejection { get; } = rejection;
}
