using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SweepGrid.Store;
using SweepGrid.Core.Results;
using SweepGrid.Core.Scheduling;
using SweepGrid.Core.Trials;
using static SweepGrid.Cluster.Coordination.SweepCoordinatorProtocol;

namespace SweepGrid.Cluster.Coordination;

/// <summary>
/// Holds one sweep: which trials are pending, running where, and finished. Event-sourced, persist
/// before apply: every decision (<see cref="SweepDecisions"/>) is journaled before the state it leads
/// to is installed and before anyone hears of it, so a restarted coordinator recovers exactly what
/// others were told, re-queues what was running, and never runs a finished trial again; a rejected
/// write changes nothing. Slots pull work; a slot that asks while nothing is pending waits here until
/// a trial is re-queued or the sweep finishes. A paused or cancelled sweep keeps no slot waiting, and
/// tells the slots of its running trials to stop (<see cref="StopAttempt"/>).
/// </summary>
internal sealed class SweepCoordinator : StoreWritingActor
{
    private readonly ResultsStore _results;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Metrics.NodeMetrics _metrics = Metrics.NodeMetrics.Of(Context.System);
    private readonly Dictionary<string, IActorRef> _slots = new();
    private readonly HashSet<string> _waiting = new();
    private readonly HashSet<IActorRef> _subscribers = new();

    /// <summary>The last epoch each running attempt reported (not journaled: shown to followers only).</summary>
    private readonly Dictionary<string, int> _latestEpoch = new();

    private SweepState _state;
    private bool _finishAnnounced;

    /// <summary>Who sent the definition being journaled (commands wait while it is, so there is at most one).</summary>
    private IActorRef? _submitter;

    public SweepCoordinator(string sweepName, ResultsStore results, int maxFailures)
    {
        _results = results;
        _state = SweepState.Empty(sweepName, maxFailures);
        PersistenceId = PersistenceIds.Sweep(sweepName);

        Recover<ISweepEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<Define>(HandleDefine);
        Command<Subscribe>(HandleSubscribe);
        Command<RequestWork>(HandleRequestWork);
        Command<SlotMovedOn>(HandleMovedOn);
        Command<ReportEpoch>(HandleEpoch);
        Command<ReportFinished>(r => JournalThenApply(SweepDecisions.Finish(_state, r.TrialId, r.Attempt, r.Status, r.Reason)));
        Command<ReportFailed>(r => JournalThenApply(SweepDecisions.Fail(_state, r.TrialId, r.Attempt, r.Reason)));
        Command<ReportReleased>(HandleReleased);
        Command<ControlSweep>(HandleControl);
        Command<Terminated>(HandleTerminated);
    }

    public override string PersistenceId { get; }

    /// <summary>Its gauges go with it: after a hand-over another node shows the sweep.</summary>
    protected override void PostStop()
    {
        _metrics.SweepGone(_state.SweepName);
        base.PostStop();
    }

    private void OnRecovered()
    {
        // The tables may lack trials whose definition was journaled just before a crash.
        if (_results.Read.CountTrials(_state.SweepName) < _state.Trials.Count) _results.Write.Trials(_state.SweepName, _state.InOrder.Select(t => (t.Ordinal, t.Spec)));
        var settled = SweepDecisions.Restarted(_state, trial => _results.Read.Outcome(_state.SweepName, trial));
        if (settled.Count > 0)
        {
            _log.Info("Sweep {SweepId}: after the restart, {Finished} trial(s) finished with their stored outcome and {Requeued} re-queued",
                _state.SweepName, settled.OfType<TrialFinished>().Count(), settled.OfType<TrialInterrupted>().Count());
        }

        // Shown from recovery on; afterwards only journaled events change what the gauges say.
        _metrics.Sweep(_state);
        JournalThenApply(settled);
    }

    private void HandleDefine(Define define)
    {
        var events = SweepDecisions.Define(_state, define.Definition);
        if (events.Count == 0)
        {
            Sender.Tell(new Submitted(0, _state.Trials.Count, _state.Counts.Settled));
            NotifyIfFinished();
            return;
        }

        if (events.OfType<SweepDefined>().Any())
        {
            _submitter = Sender;
            JournalThenApply(events);
            return;
        }

        // Resumed, or a new priority, and no new trials: answered once journaled.
        var submitter = Sender;
        JournalThenApply(events);
        DeferAsync(submitter, s => s.Tell(new Submitted(0, _state.Trials.Count, _state.Counts.Settled)));
    }

    /// <summary>Pause, resume, cancel or priority: refused as it stands, or journaled and then answered.</summary>
    private void HandleControl(ControlSweep control)
    {
        var decision = SweepDecisions.Control(_state, control.Control);
        if (decision.Refusal is { } refusal)
        {
            Sender.Tell(new ControlRefused(_state.SweepName, refusal));
            return;
        }

        var requester = Sender;
        JournalThenApply(decision.Events);
        DeferAsync(requester, r => r.Tell(new SweepControlled(_state.SweepName, _state.Standing, _state.Priority,
            _state.IsOpen ? 0 : _state.Counts.Running, decision.Events.Count > 0, _state.Counts)));
    }

    private void HandleSubscribe(Subscribe subscribe)
    {
        _subscribers.Add(subscribe.Subscriber);
        Context.Watch(subscribe.Subscriber);
        subscribe.Subscriber.Tell(Progress());
        if (_state.IsFinished) subscribe.Subscriber.Tell(new SweepFinished(Progress()));
    }

    private void HandleMovedOn(SlotMovedOn moved)
    {
        _waiting.Remove(moved.Slot);
        (string, int)? reported = moved.Reported is { } r ? (r.TrialId, r.Attempt) : null;
        JournalThenApply(SweepDecisions.SlotLost(_state, moved.Slot, reported));
    }

    private void HandleRequestWork(RequestWork request)
    {
        _slots[request.Slot] = Sender;
        Context.Watch(Sender);
        (string, int)? reported = request.Reported is { } r ? (r.TrialId, r.Attempt) : null;
        // A repeated request from a slot we gave a trial: the assignment crossed it on the way, or was
        // lost. Send it again (a busy slot drops it); never read this as a lost trial.
        if (request.Again && _state.IsOpen && _state.RunningOn(request.Slot).FirstOrDefault(t => (t.Spec.TrialId, t.Attempts) != reported) is { } running)
        {
            Sender.Tell(new Assignment(running.Spec, running.Attempts));
            return;
        }

        _waiting.Add(request.Slot);
        // A slot asking while we think it runs a trial it has not reported has restarted: that trial is lost.
        JournalThenApply(SweepDecisions.SlotLost(_state, request.Slot, reported));
    }

    private void HandleEpoch(ReportEpoch report)
    {
        if (!_state.Trials.TryGetValue(report.TrialId, out var entry) || entry.Status != TrialStatus.Running || entry.Attempts != report.Attempt) return;
        // Still running in a sweep that was paused or cancelled: the stop was lost (or crossed this report).
        if (!_state.IsOpen) Sender.Tell(Stop(entry));
        _latestEpoch[report.TrialId] = report.Record.Epoch;
        Publish(new TrialEpoch(report.TrialId, report.Attempt, report.Record, entry.Spec.Epochs));
    }

    /// <summary>Re-queues the attempt (a stale or repeated release changes nothing) and acknowledges once journaled.</summary>
    private void HandleReleased(ReportReleased released)
    {
        var slot = Sender;
        JournalThenApply(SweepDecisions.Release(_state, released.TrialId, released.Attempt, released.Reason));
        DeferAsync(new ReleaseRecorded(released.TrialId, released.Attempt), ack => slot.Tell(ack));
    }

    private void HandleTerminated(Terminated terminated)
    {
        _subscribers.Remove(terminated.ActorRef);
        var slot = _slots.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
        if (slot is null) return;
        _slots.Remove(slot);
        _waiting.Remove(slot);
        JournalThenApply(SweepDecisions.SlotLost(_state, slot));
    }

    /// <summary>
    /// Journals the decided events, followed by the assignments they make possible for waiting slots
    /// (decided on the state the events lead to, so each slot gets a different trial), in one batch;
    /// each event's state is installed, and its side effects happen, only once it is in the journal.
    /// Commands wait meanwhile (Akka's PersistAll stashes them), so no decision sees a state that the
    /// journal does not hold.
    /// </summary>
    private void JournalThenApply(IReadOnlyList<ISweepEvent> decided)
    {
        var steps = new List<(ISweepEvent Event, SweepState After)>();
        var state = _state;
        foreach (var e in decided)
        {
            state = state.Apply(e);
            steps.Add((e, state));
        }

        foreach (var slot in _waiting)
        {
            var assign = SweepDecisions.Assign(state, slot);
            if (assign.Count == 0) break;
            state = state.Apply(assign[0]);
            steps.Add((assign[0], state));
        }

        if (steps.Count == 0)
        {
            NotifyIfFinished();
            return;
        }

        int next = 0;
        PersistAll(steps.Select(s => s.Event), _ =>
        {
            var (e, after) = steps[next++];
            var before = _state;
            _state = after;
            AfterJournaled(e, before);
            _metrics.Journaled(_state.SweepName, e);
            if (next < steps.Count) return;
            _metrics.Sweep(_state);
            NotifyIfFinished();
        });
    }

    /// <summary>What follows an event once it is in the journal: result tables, slots, subscribers.</summary>
    private void AfterJournaled(ISweepEvent e, SweepState before)
    {
        switch (e)
        {
            case SweepDefined:
                _results.Write.Trials(_state.SweepName, _state.InOrder.Skip(before.Trials.Count).Select(t => (t.Ordinal, t.Spec)));
                _finishAnnounced = false;
                _submitter?.Tell(new Submitted(_state.Trials.Count - before.Trials.Count, _state.Trials.Count, before.Counts.Settled));
                _submitter = null;
                break;
            case TrialAssigned a:
                var assigned = _state.Trials[a.TrialId];
                _waiting.Remove(a.Slot);
                _latestEpoch.Remove(a.TrialId);
                _results.Write.Status(_state.SweepName, a.TrialId, TrialStatus.Running, a.Attempt, null, a.Slot);
                if (_slots.TryGetValue(a.Slot, out var slot)) slot.Tell(new Assignment(assigned.Spec, a.Attempt));
                Publish(new TrialStarted(a.TrialId, a.Attempt, a.Slot, assigned.Spec.Epochs, TrialText.Brief(assigned.Spec)));
                break;
            case SweepPaused or SweepCancelled:
                _results.Write.Standing(_state.SweepName, _state.Standing, _state.Priority);
                if (e is SweepCancelled) _results.Write.MoveStatus(_state.SweepName, TrialStatus.Pending, TrialStatus.Cancelled, SweepState.CancelledReason);
                _log.Info("Sweep {SweepId} {Standing}: {Running} running trial(s) told to stop", _state.SweepName, _state.Standing, _state.Counts.Running);
                foreach (var running in _state.Running) _slots.GetValueOrDefault(running.Slot!)?.Tell(Stop(running));
                Publish(Progress());
                break;
            case SweepResumed:
                _results.Write.Standing(_state.SweepName, _state.Standing, _state.Priority);
                _results.Write.MoveStatus(_state.SweepName, TrialStatus.Cancelled, TrialStatus.Pending, reason: null);
                _finishAnnounced = false;
                _log.Info("Sweep {SweepId} resumed: {Pending} trial(s) pending", _state.SweepName, _state.Counts.Pending);
                Publish(Progress());
                break;
            case SweepPrioritySet:
                _results.Write.Standing(_state.SweepName, _state.Standing, _state.Priority);
                Publish(Progress());
                break;
            case TrialFinished or TrialAttemptFailed or TrialInterrupted or TrialRequeued:
                var entry = _state.Trials[TrialOf(e)];
                _latestEpoch.Remove(entry.Spec.TrialId);
                _results.Write.Status(_state.SweepName, entry.Spec.TrialId, entry.Status, entry.Attempts, entry.Reason);
                Publish(new TrialSettled(entry.Spec.TrialId, entry.Status, entry.Attempts, entry.Reason, entry.Spec.Epochs));
                break;
        }
    }

    private static string TrialOf(ISweepEvent e) => e switch
    {
        TrialFinished f => f.TrialId,
        TrialAttemptFailed f => f.TrialId,
        TrialInterrupted i => i.TrialId,
        TrialRequeued r => r.TrialId,
        _ => throw new ArgumentException($"{e.GetType().Name} names no single trial", nameof(e)),
    };

    /// <summary>
    /// The journal refused the event (it could not be serialized, or the database rejected it): nothing
    /// was installed, so the sweep is as it was before the command. A refused definition is answered as
    /// a rejected submission; the sweep stays resumable from what the journal holds.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Sweep {SweepId}: the journal refused {Event}; the sweep is unchanged", _state.SweepName, @event.GetType().Name);
        if (@event is not SweepDefined) return;
        _submitter?.Tell(SubmitRejected.Of([$"sweep: the store refused the sweep's definition ({cause.GetBaseException().Message}); nothing of it was stored"], badInput: false));
        _submitter = null;
    }

    private StopAttempt Stop(TrialEntry running) =>
        new(running.Spec.TrialId, running.Attempts, $"its sweep was {_state.Standing.ToString().ToLowerInvariant()}");

    /// <summary>
    /// Tells waiting slots there is no more work here (the sweep finished, or is paused or cancelled: the
    /// director sends them to other sweeps) and, once per finish, tells subscribers the sweep is done.
    /// </summary>
    private void NotifyIfFinished()
    {
        if (_state.IsFinished || !_state.IsOpen)
        {
            foreach (var slot in _waiting) _slots[slot].Tell(NoMoreWork.Instance);
            _waiting.Clear();
        }

        if (!_state.IsFinished) return;
        if (_finishAnnounced) return;
        _finishAnnounced = true;
        var final = new SweepFinished(Progress());
        foreach (var subscriber in _subscribers) subscriber.Tell(final);
    }

    private void Publish(object message)
    {
        foreach (var subscriber in _subscribers) subscriber.Tell(message);
    }

    private SweepProgress Progress()
    {
        var running = _state.Running.Take(MaxListedRunning)
            .Select(t => new RunningTrial(t.Spec.TrialId, t.Attempts, t.Slot!, _latestEpoch.GetValueOrDefault(t.Spec.TrialId), t.Spec.Epochs, TrialText.Brief(t.Spec)))
            .ToList();
        return new SweepProgress(_state.SweepName, _state.Counts, _state.TotalEpochs, _state.SettledEpochs, running, _state.Counts.Running - running.Count,
            _state.Priority, _state.Standing);
    }
}
