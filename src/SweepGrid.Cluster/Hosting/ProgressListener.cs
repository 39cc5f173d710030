using Akka.Actor;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Hosting;

/// <summary>Relays a coordinator's progress to a callback and completes when the sweep does.</summary>
public sealed class ProgressListener : ReceiveActor
{
    public ProgressListener(Action<object> onProgress, TaskCompletionSource<Snapshot> finished)
    {
        Receive<SweepFinished>(f => finished.TrySetResult(f.Final));
        ReceiveAny(onProgress);
    }

    public static Props Props(Action<object> onProgress, TaskCompletionSource<Snapshot> finished) =>
        Akka.Actor.Props.Create(() => new ProgressListener(onProgress, finished));
}
