using Akka.Actor;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// The cluster's one sweep director (a cluster singleton on the coordinator role): it owns a
/// <see cref="SweepCoordinator"/> per submitted sweep and hands free slots to the oldest sweep with work.
/// </summary>
public static class SweepDirectorProtocol
{
    public const string PersistenceId = "sweep-director";

    /// <summary>Where the singleton manager runs on each coordinator node, and the proxy's name everywhere.</summary>
    public const string ManagerName = "director", ProxyName = "director-proxy";

    /// <summary>The director on the store dispatcher, started again after a failed journal write (or recovery) stops it.</summary>
    public static Props Props(ResultsStore results, int maxFailures = SweepState.DefaultMaxFailures) =>
        Supervision.RestartedAfterStop(
            Akka.Actor.Props.Create(() => new SweepDirector(results, maxFailures)).WithDispatcher(Supervision.StoreDispatcher),
            "director");

    /// <summary>Register the sweep (once) and add these trials. Replies <see cref="SweepCoordinatorProtocol.Submitted"/>.</summary>
    public sealed record SubmitSweep(SweepSpec Spec, IReadOnlyList<TrialSpec> Trials) : IClusterMessage;

    /// <summary>The subscriber gets the sweep's snapshot, its progress and its end; <see cref="UnknownSweep"/> if there is no such sweep.</summary>
    public sealed record SubscribeSweep(string SweepName, IActorRef Subscriber) : IClusterMessage;

    public sealed record UnknownSweep(string SweepName, IReadOnlyList<string> Known) : IClusterMessage;

    /// <summary>Journaled: a sweep the director owns from now on, recreated after every hand-over.</summary>
    public sealed record SweepRegistered(string SweepName) : IClusterMessage;
}
