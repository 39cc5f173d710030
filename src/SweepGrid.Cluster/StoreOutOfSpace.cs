using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepGrid.Store;

namespace SweepGrid.Cluster;

/// <summary>
/// Published on a node's event stream when a write to the store failed for lack of space: a table
/// (<see cref="ResultsStore.RanOutOfSpace"/>), the journal (<see cref="StoreWritingActor"/>), a trial's
/// checkpoint or weights (its worker says so). Every slot of the node stops its attempt without charging
/// it and waits before taking work again; `run` stops and says so once.
/// </summary>
public sealed record StoreOutOfSpace(string Reason)
{
    public static StoreOutOfSpace Of(Exception error) => new(OutOfSpace.Reason(error));
}

/// <summary>
/// A persistent actor of SweepGrid's: a journal write that fails for lack of space is published as
/// <see cref="StoreOutOfSpace"/> and logged in one line instead of a stack; Akka.Persistence stops the
/// actor either way (its supervisor starts it again, <see cref="Supervision.RestartedAfterStop"/>).
/// Every failed write counts in the node's metrics (sweepgrid_store_errors_total{store="journal"}).
/// </summary>
public abstract class StoreWritingActor : ReceivePersistentActor
{
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Metrics.NodeMetrics.Of(Context.System).StoreErrors.WithLabels("journal").Inc();
        if (!OutOfSpace.Is(cause))
        {
            base.OnPersistFailure(cause, @event, sequenceNr);
            return;
        }

        var full = StoreOutOfSpace.Of(cause);
        Log.Warning("{PersistenceId}: could not journal {Event}, the store is out of space ({Reason})", PersistenceId, @event.GetType().Name, full.Reason);
        Context.System.EventStream.Publish(full);
    }
}
