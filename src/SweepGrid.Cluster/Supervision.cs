using Akka.Actor;
using Akka.Pattern;

namespace SweepGrid.Cluster;

/// <summary>How SweepGrid keeps its persistent actors alive through a database outage.</summary>
public static class Supervision
{
    /// <summary>
    /// The dispatcher of actors that write to the store (recorders, coordinators, the director): their
    /// writes block while the database is retried, and must not hold up the default dispatcher's threads
    /// (sweepgrid.conf).
    /// </summary>
    public const string StoreDispatcher = "sweepgrid.store-dispatcher";

    /// <summary>
    /// A supervisor that starts <paramref name="child"/> again whenever it stops, after 0.5 s, doubling
    /// up to 8 s while it keeps stopping, without limit (a persistent actor stops when a journal write or its recovery
    /// fails: the database is down). Messages to the supervisor are forwarded to the child, sender kept;
    /// those that arrive while no child runs are lost, so every protocol through it repeats or re-sends.
    /// </summary>
    public static Props RestartedAfterStop(Props child, string childName) =>
        BackoffSupervisor.Props(Backoff.OnStop(child, childName, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(8), 0.2, maxNrOfRetries: -1));
}
