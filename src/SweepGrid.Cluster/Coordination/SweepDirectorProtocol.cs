using Akka.Actor;
using SweepGrid.Store;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// The cluster's one sweep director (a cluster singleton on the coordinator role): it owns a
/// <see cref="SweepCoordinator"/> per submitted sweep and hands free slots to the open sweeps by priority (FairShare).
/// </summary>
public static class SweepDirectorProtocol
{
    /// <summary>Where the singleton manager runs on each coordinator node, and the proxy's name everywhere.</summary>
    public const string ManagerName = "director", ProxyName = "director-proxy";

    /// <summary>How many sweep names an <see cref="UnknownSweep"/> lists.</summary>
    public const int MaxListedSweeps = 50;

    /// <summary>The director on the store dispatcher, started again after a failed journal write (or recovery) stops it.</summary>
    /// <param name="define">
    /// Turns a submitted sweep into its definition where trials will read its data: reads the dataset,
    /// checks the sweep against it and against the cluster's limits. Throws
    /// <see cref="SweepValidationException"/> for a sweep that must be fixed.
    /// </param>
    /// <param name="openAll">Open every registered sweep after recovery (a cluster); false: only those submitted to it (`run`).</param>
    public static Props Props(ResultsStore results, Func<SweepSpec, SweepDefinition> define, int maxFailures = SweepState.DefaultMaxFailures, bool openAll = true) =>
        Supervision.RestartedAfterStop(
            Akka.Actor.Props.Create(() => new SweepDirector(results, define, maxFailures, openAll)).WithDispatcher(Supervision.StoreDispatcher),
            "director");

    /// <summary>
    /// Submit a sweep by reference: its file, not its trials. The director parses and checks the text
    /// itself (what arrives from the network is not trusted: the same parser and rules as `run`), then
    /// against the data (on a coordinator node, which sees the data as the workers do) and the limits,
    /// registers it once and hands its definition to the sweep's coordinator. Replies
    /// <see cref="SweepCoordinatorProtocol.Submitted"/> or <see cref="SweepCoordinatorProtocol.SubmitRejected"/>.
    /// </summary>
    /// <param name="Source">The file's name on the client, for messages.</param>
    /// <param name="Text">The file as the client read it.</param>
    /// <param name="Follow">
    /// Subscribe the submitter to the sweep's progress as soon as its definition is journaled, before
    /// any trial can end, so that it sees every trial's end. A client that subscribed only once it had
    /// the answer missed the trials that ended meanwhile (1 of 2,000 tiny ones, in one run).
    /// </param>
    /// <param name="Priority">The sweep's priority instead of its file's sweep.priority (submit --priority); null: the file's.</param>
    public sealed record SubmitSweep(string Source, string Text, bool Follow = false, int? Priority = null) : IClusterMessage;

    /// <summary>
    /// Submit a sweep this process has already checked against its data and limits (`run`, `resume`):
    /// answered like <see cref="SubmitSweep"/>. Taken only from the director's own process, so never
    /// serialized: not an <see cref="IClusterMessage"/>.
    /// </summary>
    public sealed record SubmitDefinition(SweepDefinition Definition, bool Follow = true);

    /// <summary>The subscriber gets the sweep's progress, its deltas and its end; <see cref="UnknownSweep"/> if there is no such sweep.</summary>
    public sealed record SubscribeSweep(string SweepName, IActorRef Subscriber) : IClusterMessage;

    /// <param name="Known">The first <see cref="MaxListedSweeps"/> sweeps the cluster has.</param>
    public sealed record UnknownSweep(string SweepName, IReadOnlyList<string> Known) : IClusterMessage;

    /// <summary>Journaled: a sweep the director owns from now on, recreated after every hand-over.</summary>
    public sealed record SweepRegistered(string SweepName) : IClusterMessage;
}
