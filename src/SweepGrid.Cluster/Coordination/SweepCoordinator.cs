using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepGrid.Cluster.Results;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// Holds one sweep: which trials are pending, running where, and finished. Event-sourced: every
/// decision (<see cref="SweepDecisions"/>) is persisted before it takes effect, so a restarted
/// coordinator recovers the sweep from its journal, re-queues what was running, and never runs a
/// finished trial again. Slots pull work; a slot that asks while nothing is pending waits here until
/// a trial is re-queued or the sweep finishes.
/// </summary>
internal sealed class SweepCoordinator : ReceivePersistentActor
{
    private readonly ResultsStore _results;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _slots = new();
    private readonly HashSet<string> _waiting = new();
    private readonly HashSet<IActorRef> _subscribers = new();
    private SweepState _state;
    private bool _finishAnnounced;

    public SweepCoordinator(string sweepName, ResultsStore results, int maxFailures)
    {
        _results = results;
        _state = SweepState.Empty(sweepName, maxFailures);
        PersistenceId = PersistenceIdOf(sweepName);

        Recover<ISweepEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<Submit>(HandleSubmit);
        Command<Subscribe>(HandleSubscribe);
        Command<GetSnapshot>(_ => Sender.Tell(TakeSnapshot()));
        Command<RequestWork>(HandleRequestWork);
        Command<ReportEpoch>(r => Publish(new TrialEpoch(r.TrialId, r.Attempt, r.Record)));
        Command<ReportFinished>(r => Decided(SweepDecisions.Finish(_state, r.TrialId, r.Attempt, r.Status, r.Reason)));
        Command<ReportFailed>(r => Decided(SweepDecisions.Fail(_state, r.TrialId, r.Attempt, r.Reason)));
        Command<ReportReleased>(HandleReleased);
        Command<Terminated>(HandleSlotTerminated);
    }

    public override string PersistenceId { get; }

    private void OnRecovered()
    {
        var settled = SweepDecisions.Restarted(_state, trial => _results.StoredOutcome(_state.SweepName, trial));
        if (settled.Count > 0)
        {
            _log.Info("Sweep {SweepId}: after the restart, {Finished} trial(s) finished with their stored outcome and {Requeued} re-queued",
                _state.SweepName, settled.OfType<TrialFinished>().Count(), settled.OfType<TrialRequeued>().Count());
        }

        Decided(settled);
    }

    /// <summary>Journal the decision, then hand any trial it made pending to a waiting slot.</summary>
    private void Decided(IReadOnlyList<ISweepEvent> events)
    {
        PersistDecided(events);
        ServeWaitingSlots();
    }

    private void HandleSubmit(Submit submit)
    {
        var events = SweepDecisions.Submit(_state, submit.Trials);
        int added = events.OfType<TrialsSubmitted>().Sum(e => e.Trials.Count);
        var reply = new Submitted(added, _state.Trials.Count + added, _state.Trials.Values.Count(t => t.IsTerminal));
        var requester = Sender;
        PersistDecided(events);
        DeferAsync(reply, r =>
        {
            requester.Tell(r, Self);
            NotifyIfFinished();
        });
    }

    private void HandleSubscribe(Subscribe subscribe)
    {
        _subscribers.Add(subscribe.Subscriber);
        Context.Watch(subscribe.Subscriber);
        subscribe.Subscriber.Tell(TakeSnapshot());
        if (_state.IsFinished) subscribe.Subscriber.Tell(new SweepFinished(TakeSnapshot()));
    }

    private void HandleRequestWork(RequestWork request)
    {
        _slots[request.Slot] = Sender;
        Context.Watch(Sender);
        // A repeated request from a slot we gave a trial: the assignment crossed it on the way, or was
        // lost. Send it again (a busy slot drops it); never read this as a lost trial.
        if (request.Again && _state.InOrder.FirstOrDefault(t => t.Status == TrialStatus.Running && t.Slot == request.Slot) is { } running)
        {
            Sender.Tell(new Assignment(running.Spec, running.Attempts));
            return;
        }

        _waiting.Add(request.Slot);
        // A slot asking again while we think it runs a trial has restarted: that trial is lost.
        Decided(SweepDecisions.SlotLost(_state, request.Slot));
    }

    /// <summary>Re-queues the attempt (a stale or repeated release changes nothing) and acknowledges once journaled.</summary>
    private void HandleReleased(ReportReleased released)
    {
        var slot = Sender;
        Decided(SweepDecisions.Release(_state, released.TrialId, released.Attempt, released.Reason));
        DeferAsync(new ReleaseRecorded(released.TrialId, released.Attempt), ack => slot.Tell(ack));
    }

    private void HandleSlotTerminated(Terminated terminated)
    {
        _subscribers.Remove(terminated.ActorRef);
        var slot = _slots.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
        if (slot is null) return;
        _slots.Remove(slot);
        _waiting.Remove(slot);
        Decided(SweepDecisions.SlotLost(_state, slot));
    }

    /// <summary>Gives each waiting slot the next pending trial; tells them all when the sweep is done.</summary>
    private void ServeWaitingSlots()
    {
        if (_state.IsFinished)
        {
            // After any journal writes still pending, so subscribers never see the end before the last result.
            DeferAsync(_state.SweepName, _ => NotifyIfFinished());
            return;
        }

        var assignments = new List<ISweepEvent>();
        foreach (var slot in _waiting.ToList())
        {
            var assign = SweepDecisions.Assign(_state, slot);
            if (assign.Count == 0) break;
            _waiting.Remove(slot);
            // Applied before the next slot is served, so each slot gets a different trial.
            _state = _state.Apply(assign[0]);
            assignments.Add(assign[0]);
        }

        JournalThenAct(assignments);
    }

    /// <summary>Applies decided events to the state at once and performs their side effects once journaled.</summary>
    private void PersistDecided(IReadOnlyList<ISweepEvent> events)
    {
        foreach (var e in events) _state = _state.Apply(e);
        JournalThenAct(events);
    }

    /// <summary>
    /// State changes are applied when decided (so later decisions in the same turn see them) and
    /// journaled in one batch; if the journal write fails the actor stops and the state is rebuilt from
    /// the journal, so nothing unjournaled outlives it. Side effects wait for the journal.
    /// </summary>
    private void JournalThenAct(IReadOnlyList<ISweepEvent> events)
    {
        if (events.Count == 0) return;
        var effects = events.Select(e => (Event: e, Entry: EntryAfter(e))).ToList();
        int index = 0;
        PersistAll(events, _ =>
        {
            var (e, entry) = effects[index++];
            AfterJournaled(e, entry);
        });
    }

    /// <summary>The trial an event touched, as the (already applied) event left it.</summary>
    private TrialEntry? EntryAfter(ISweepEvent e) => e switch
    {
        TrialAssigned a => _state.Trials[a.TrialId],
        TrialFinished f => _state.Trials[f.TrialId],
        TrialAttemptFailed f => _state.Trials[f.TrialId],
        TrialRequeued r => _state.Trials[r.TrialId],
        _ => null,
    };

    /// <summary>What follows an event once it is in the journal: result tables, slots, subscribers.</summary>
    private void AfterJournaled(ISweepEvent e, TrialEntry? entry)
    {
        switch (e)
        {
            case TrialsSubmitted s:
                _results.RegisterTrials(s.Trials);
                _finishAnnounced = false;
                break;
            case TrialAssigned a:
                _results.SetStatus(_state.SweepName, a.TrialId, TrialStatus.Running, a.Attempt, null, a.Slot);
                if (_slots.TryGetValue(a.Slot, out var slot)) slot.Tell(new Assignment(entry!.Spec, a.Attempt));
                Publish(new TrialStarted(a.TrialId, a.Attempt, a.Slot));
                break;
            default:
                _results.SetStatus(_state.SweepName, entry!.Spec.TrialId, entry.Status, entry.Attempts, entry.Reason);
                Publish(new TrialSettled(entry.Spec.TrialId, entry.Status, entry.Attempts, entry.Reason));
                NotifyIfFinished();
                break;
        }
    }

    /// <summary>Tells waiting slots there is no more work and, once per finish, tells subscribers the sweep is done.</summary>
    private void NotifyIfFinished()
    {
        if (!_state.IsFinished) return;
        foreach (var slot in _waiting) _slots[slot].Tell(NoMoreWork.Instance);
        _waiting.Clear();
        if (_finishAnnounced) return;
        _finishAnnounced = true;
        var final = new SweepFinished(TakeSnapshot());
        foreach (var subscriber in _subscribers) subscriber.Tell(final);
    }

    private void Publish(object message)
    {
        foreach (var subscriber in _subscribers) subscriber.Tell(message);
    }

    private Snapshot TakeSnapshot() => new(_state.SweepName, _state.InOrder.ToList());
}
