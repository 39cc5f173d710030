using Akka.Actor;

namespace SweepGrid.Cluster.Hosting;

/// <summary>Joining and leaving, shared by the embedded host and cluster nodes.</summary>
internal static class ClusterLifecycle
{

    /// <summary>Waits until this member is Up; on timeout or cancellation the actor system is terminated and the error rethrown.</summary>
    public static async Task WaitUntilUpAsync(ActorSystem system, TimeSpan timeout, CancellationToken ct, Action<Akka.Cluster.Cluster>? join = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        join?.Invoke(cluster);
        try
        {
            await up.Task.WaitAsync(timeout, ct);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    /// <summary>
    /// Coordinated shutdown, done when it or the actor system's termination completes. Seen once here:
    /// after a 5-minute sweep, the actor system had terminated (remoting shut down, its threads gone)
    /// but the shutdown's own task never completed, and the finished process hung on it forever.
    /// The limit: the phase in which trials are released, and a minute for the rest.
    /// </summary>
    public static async Task ShutdownAsync(ActorSystem system, CoordinatedShutdown.Reason reason)
    {
        var limit = ShutdownSettings.From(system.Settings.Config).PhaseTimeout + TimeSpan.FromSeconds(60);
        var shutdown = CoordinatedShutdown.Get(system).Run(reason);
        await Task.WhenAny(shutdown, system.WhenTerminated, Task.Delay(limit));
    }
}
