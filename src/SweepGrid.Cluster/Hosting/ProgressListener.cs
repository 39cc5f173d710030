using Akka.Actor;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// Relays a coordinator's progress to a callback and completes when the sweep does. With
/// <c>resubscribe</c> (a client of a cluster) it watches the coordinator that sent the snapshot and
/// subscribes again when that one dies, so following a sweep survives the coordinator moving nodes.
/// </summary>
public sealed class ProgressListener : ReceiveActor
{
    public ProgressListener(Action<object> onProgress, TaskCompletionSource<Snapshot> finished, Action<IActorRef>? resubscribe)
    {
        Receive<SweepFinished>(f => finished.TrySetResult(f.Final));
        Receive<Snapshot>(s =>
        {
            if (resubscribe is not null) Context.Watch(Sender);
            onProgress(s);
        });
        Receive<Terminated>(_ => resubscribe?.Invoke(Self));
        ReceiveAny(onProgress);
    }

    public static Props Props(Action<object> onProgress, TaskCompletionSource<Snapshot> finished, Action<IActorRef>? resubscribe = null) =>
        Akka.Actor.Props.Create(() => new ProgressListener(onProgress, finished, resubscribe));
}
