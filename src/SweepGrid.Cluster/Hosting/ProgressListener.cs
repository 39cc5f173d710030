using Akka.Actor;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Hosting;

/// <summary>
/// Relays a coordinator's progress to a callback and completes when the sweep does. With
/// <c>resubscribe</c> it watches the coordinator that sent its progress and, when that one stops (its
/// node died and it moved, or a failed journal write restarted it), subscribes again every 3 s until a
/// fresh <see cref="SweepProgress"/> comes: a subscription sent while no coordinator runs is lost.
/// </summary>
public sealed class ProgressListener : ReceiveActor, IWithTimers
{
    private sealed record Resubscribe
    {
        public static readonly Resubscribe Instance = new();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public ProgressListener(Action<object> onProgress, TaskCompletionSource<SweepProgress> finished, Action<IActorRef>? resubscribe)
    {
        Receive<SweepFinished>(f => finished.TrySetResult(f.Final));
        Receive<SweepProgress>(s =>
        {
            Timers.Cancel(nameof(Resubscribe));
            if (resubscribe is not null) Context.Watch(Sender);
            onProgress(s);
        });
        Receive<Terminated>(_ => Timers.StartPeriodicTimer(nameof(Resubscribe), Resubscribe.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(3)));
        Receive<Resubscribe>(_ => resubscribe?.Invoke(Self));
        ReceiveAny(onProgress);
    }

    public static Props Props(Action<object> onProgress, TaskCompletionSource<SweepProgress> finished, Action<IActorRef>? resubscribe = null) =>
        Akka.Actor.Props.Create(() => new ProgressListener(onProgress, finished, resubscribe));
}
